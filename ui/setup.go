package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
	"passdesk/assets"
)

// DemoServer is where `make run` starts the local reference service.
const DemoServer = "http://127.0.0.1:8787"

// setupScreen is the first run: how to verify passes (the demo service, or
// the authority's service and its root key) and the first manager's PIN.
type setupScreen struct {
	core       setupCore
	ctx        context.Context
	t          translate
	do         func(func())
	askManager func(then func(app.Person)) // a manager's PIN, then then
	onDone     func(err error)             // the writes finished
	// onReload reopens the engine with the new configuration; nil keeps
	// the running one.
	onReload   func()
	onFinished func() // on to the scan screen
	needConfig bool
	needPerson bool

	mode    *widget.RadioGroup
	server  *widget.Entry
	root    *widget.Entry
	venue   *widget.Entry
	kiosk   *widget.Entry
	name    *widget.Entry
	pin     *widget.Entry
	pin2    *widget.Entry
	save    *widget.Button
	errMsg  *widget.Label
	modeIdx int
}

func (s *setupScreen) build() fyne.CanvasObject {
	t := s.t
	c := s.core.Config()
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(96))
	title := widget.NewLabelWithStyle(t("setup.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	intro := widget.NewLabel(t("setup.intro"))
	intro.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{container.NewCenter(icon), title, intro}

	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://verify.example.org")
	s.root = widget.NewEntry()
	s.root.SetPlaceHolder(t("setup.root_hint"))
	s.venue = widget.NewEntry()
	s.venue.SetText(c.VenueID)
	s.kiosk = widget.NewEntry()
	s.kiosk.SetText(c.KioskID)
	if s.needConfig {
		s.mode = widget.NewRadioGroup([]string{t("setup.demo"), t("setup.service")}, s.onMode)
		s.mode.Required = true
		s.mode.SetSelected(t("setup.demo"))
		form := widget.NewForm(
			widget.NewFormItem(t("settings.server"), s.server),
			widget.NewFormItem(t("setup.root"), s.root),
			widget.NewFormItem(t("settings.venue"), s.venue),
			widget.NewFormItem(t("settings.kiosk"), s.kiosk),
		)
		items = append(items, heading(t("setup.how"), fyne.TextAlignLeading), s.mode, form)
	}
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(t("setup.manager_name_hint"))
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(t("staff.pin_hint"))
	s.pin2 = widget.NewPasswordEntry()
	if s.needPerson {
		form := widget.NewForm(
			widget.NewFormItem(t("staff.name"), s.name),
			widget.NewFormItem(t("staff.pin"), s.pin),
			widget.NewFormItem(t("staff.pin_again"), s.pin2),
		)
		items = append(items, widget.NewSeparator(), heading(t("setup.first_manager"), fyne.TextAlignLeading), form)
	}
	s.errMsg = widget.NewLabel("")
	s.errMsg.Importance = widget.DangerImportance
	s.errMsg.Wrapping = fyne.TextWrapWord
	s.errMsg.Hide()
	s.save = &widget.Button{Text: t("setup.start"), Importance: widget.HighImportance, OnTapped: s.onSave}
	items = append(items, s.errMsg, container.NewCenter(s.save))
	body := container.NewVBox(items...)
	return container.NewVScroll(container.NewCenter(container.NewGridWrap(fyne.NewSize(640, body.MinSize().Height+24), container.NewPadded(body))))
}

// onMode fills in the demo service, or clears it for the real one.
func (s *setupScreen) onMode(choice string) {
	if choice == s.t("setup.demo") {
		s.modeIdx = 0
		s.server.SetText(DemoServer)
	} else {
		s.modeIdx = 1
		if s.server.Text == DemoServer {
			s.server.SetText("")
		}
	}
}

// onSave creates the first manager (when there is none), then saves the
// configuration as that manager, or asks a manager's PIN first.
func (s *setupScreen) onSave() {
	t := s.t
	c := s.core.Config()
	if s.needConfig {
		c.ServerURL = strings.TrimSpace(s.server.Text)
		c.Roots = nil
		if r := strings.TrimSpace(s.root.Text); r != "" {
			c.Roots = []string{r}
		}
		c.VenueID = strings.TrimSpace(s.venue.Text)
		c.KioskID = strings.TrimSpace(s.kiosk.Text)
		if s.modeIdx == 0 {
			c.Camera = "demo:" + c.ServerURL
			if c.VenueID == "" {
				c.VenueID = "demo-venue"
			}
			if c.KioskID == "" {
				c.KioskID = "kiosk-1"
			}
		}
		if c.VenueID == "" {
			s.fail(t("setup.need_venue"))
			return
		}
		if c.ServerURL == "" {
			s.fail(t("setup.need_server"))
			return
		}
		if s.modeIdx == 1 && len(c.Roots) == 0 {
			s.fail(t("setup.need_root"))
			return
		}
	}
	name, pin := strings.TrimSpace(s.name.Text), s.pin.Text
	if s.needPerson {
		if name == "" {
			s.fail(t("staff.need_name"))
			return
		}
		if err := checkPIN(pin, s.pin2.Text); err != nil {
			s.fail(err.Error())
			return
		}
	}
	if !s.needPerson {
		s.askManager(func(by app.Person) { s.apply(by, c, "", "") })
		return
	}
	s.apply(app.Person{}, c, name, pin)
}

// apply does the writes off the UI goroutine.
func (s *setupScreen) apply(by app.Person, c app.Config, name, pin string) {
	s.save.Disable()
	needConfig := s.needConfig
	go func() {
		var err error
		if name != "" {
			by, err = s.core.SetUp(s.ctx, name, pin)
		}
		if err == nil && needConfig {
			err = s.core.SaveConfig(s.ctx, by, c)
		}
		s.do(func() { s.applied(err) })
	}()
}

func (s *setupScreen) applied(err error) {
	s.save.Enable()
	defer s.onDone(err)
	if err != nil {
		s.fail(errorText(s.t, err))
		return
	}
	if s.needConfig && s.onReload != nil {
		s.onReload()
		return
	}
	s.onFinished()
}

func (s *setupScreen) fail(msg string) {
	s.errMsg.SetText(msg)
	s.errMsg.Show()
}
