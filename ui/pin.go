package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// pinPrompt asks for a PIN with an on-screen keypad (a kiosk may have only
// a touch screen and a QR scanner) and signs the person in through the
// engine, which audits it.
type pinPrompt struct {
	core    pinCore
	ctx     context.Context
	win     fyne.Window
	t       translate
	do      func(func())
	after   func(d time.Duration, f func()) (stop func())
	onDone  func(err error) // a sign-in attempt finished
	onClose func()          // the prompt left the screen
	need    app.Role
	then    func(app.Person)
	popup   *widget.PopUp
	closed  bool

	title  *widget.Label
	entry  *widget.Entry
	errMsg *widget.Label
	ok     *widget.Button
	cancel *widget.Button
	keys   []*widget.Button
}

// show puts the prompt up with the entry focused and starts the lock-out
// countdown.
func (p *pinPrompt) show() {
	p.popup = widget.NewModalPopUp(p.build(), p.win.Canvas())
	p.popup.Show()
	p.win.Canvas().Focus(p.entry)
}

// close takes the prompt down; typed keys go back to the wedge reader.
func (p *pinPrompt) close() {
	p.popup.Hide()
	p.win.Canvas().Unfocus()
	p.closed = true
	p.onClose()
}

// prompt is where this PIN is typed; the core counts failures per prompt.
func (p *pinPrompt) prompt() app.Prompt {
	if p.need == app.Manager {
		return app.PromptManager
	}
	return app.PromptManual
}

// countdown shows how long the prompt refuses tries after wrong PINs,
// once a second until it takes them again.
func (p *pinPrompt) countdown() {
	if p.closed {
		return
	}
	wait := p.core.PINWait(p.prompt())
	if wait <= 0 {
		if p.ok.Disabled() {
			p.ok.Enable()
			p.errMsg.Hide()
			p.fit()
		}
		return
	}
	p.ok.Disable()
	p.errMsg.SetText(p.t("err.locked_for", wait.Round(time.Second).String()))
	p.errMsg.Show()
	p.fit()
	p.after(time.Second, func() { p.do(p.countdown) })
}

func (p *pinPrompt) build() fyne.CanvasObject {
	t := p.t
	title := t("pin.staff")
	if p.need == app.Manager {
		title = t("pin.manager")
	}
	p.title = heading(title, fyne.TextAlignCenter)
	p.entry = widget.NewPasswordEntry()
	p.entry.SetPlaceHolder(t("pin.placeholder"))
	p.entry.OnSubmitted = func(string) { p.onOK() }
	p.errMsg = widget.NewLabel("")
	p.errMsg.Importance = widget.DangerImportance
	p.errMsg.Alignment = fyne.TextAlignCenter
	p.errMsg.Wrapping = fyne.TextWrapWord
	p.errMsg.Hide()
	grid := container.NewGridWithColumns(3)
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		grid.Add(p.digit(d))
	}
	back := &widget.Button{Icon: theme.NavigateBackIcon(), OnTapped: p.onBackspace}
	grid.Add(back)
	grid.Add(p.digit("0"))
	clear := &widget.Button{Text: "C", OnTapped: func() { p.entry.SetText("") }}
	grid.Add(clear)
	p.ok = &widget.Button{Text: t("pin.ok"), Importance: widget.HighImportance, OnTapped: p.onOK}
	p.cancel = &widget.Button{Text: t("common.cancel"), OnTapped: p.onCancel}
	box := container.NewVBox(p.title, p.entry, grid, p.errMsg, container.NewGridWithColumns(2, p.cancel, p.ok))
	return container.New(fixedWidth(340), box)
}

// fit resizes the pop-up to its content, which grows when a message
// appears: nothing is clipped and the buttons stay inside the box.
func (p *pinPrompt) fit() {
	if p.popup != nil {
		p.popup.Resize(p.popup.Content.MinSize())
	}
}

// fixedWidth lays its objects out one above the other in a column of
// this width, as tall as they need at that width (a wrapped message
// included).
type fixedWidth float32

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		if o.Visible() {
			o.Resize(fyne.NewSize(float32(w), o.MinSize().Height)) // wrapping follows the width
			h = fyne.Max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (p *pinPrompt) digit(d string) *widget.Button {
	b := &widget.Button{Text: d, OnTapped: func() { p.entry.SetText(p.entry.Text + d) }}
	p.keys = append(p.keys, b)
	return b
}

func (p *pinPrompt) onBackspace() {
	rs := []rune(p.entry.Text)
	if len(rs) > 0 {
		p.entry.SetText(string(rs[:len(rs)-1]))
	}
}

func (p *pinPrompt) onCancel() {
	p.close()
}

// onOK checks the PIN off the UI goroutine: PINs are slow hashes.
func (p *pinPrompt) onOK() {
	pin := p.entry.Text
	if pin == "" {
		return
	}
	p.ok.Disable()
	go func() {
		who, err := p.core.SignIn(p.ctx, p.prompt(), pin)
		p.do(func() { p.signedIn(who, err) })
	}()
}

func (p *pinPrompt) signedIn(who app.Person, err error) {
	p.ok.Enable()
	p.entry.SetText("")
	if err != nil {
		p.errMsg.SetText(errorText(p.t, err))
		p.errMsg.Show()
		p.fit()
		p.win.Canvas().Focus(p.entry)
		if errors.Is(err, app.ErrLockedOut) {
			p.countdown()
		}
		p.onDone(err)
		return
	}
	p.close()
	p.then(who)
	p.onDone(nil)
}

// errPINMismatch: the two PINs typed for a new PIN differ.
var errPINMismatch = errors.New("the two PINs differ")

// errorText puts the core's errors into words for staff.
func errorText(t translate, err error) string {
	var locked *app.LockedOut
	switch {
	case errors.Is(err, app.ErrPINInUse):
		return t("staff.pin_in_use")
	case errors.Is(err, app.ErrPINFormat):
		return t("staff.pin_rule")
	case errors.Is(err, errPINMismatch):
		return t("staff.pin_mismatch")
	case errors.Is(err, app.ErrNeedsPerson):
		return t("staff.need_name")
	case errors.Is(err, app.ErrBadPIN):
		return t("err.bad_pin")
	case errors.As(err, &locked):
		return t("err.locked_for", locked.Wait.Round(time.Second).String())
	case errors.Is(err, app.ErrLockedOut):
		return t("err.locked_out")
	case errors.Is(err, app.ErrUnauthorized):
		return t("err.unauthorized")
	case errors.Is(err, app.ErrNotAllowed):
		return t("err.not_allowed")
	case errors.Is(err, app.ErrNotFound):
		return t("err.not_found")
	}
	return fmt.Sprintf("%s: %v", t("err.failed"), err)
}
