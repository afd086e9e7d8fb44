package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// Choices offered by the settings form.
var (
	resolutions = []string{"640x480", "1280x720", "1920x1080"}
	modes       = []string{app.OnlineFirst, app.OfflineFirst}
	languages   = []string{"", Korean, English} // "" follows the system
	statuses    = []int{1, 2, 3, 4}
)

// settingsTab edits the kiosk configuration; the engine validates, writes
// and audits it (SaveConfig).
type settingsTab struct {
	core           settingsCore
	ctx            context.Context
	cat            *catalog
	lang           string // the language the window speaks now
	t              translate
	do             func(func())
	toast          func(msg string)
	systemLanguage func() string
	onDone         func(err error) // a save finished
	// onReload reopens the engine after a change it cannot take live;
	// nil keeps the running one.
	onReload func()
	// languageChanged puts the window in another language.
	languageChanged func(lang string)
	by              app.Person

	server     *widget.Entry
	serverCA   *widget.Entry
	credential *widget.Entry
	roots      *widget.Entry
	venue      *widget.Entry
	kiosk      *widget.Entry
	camera     *widget.SelectEntry
	resolution *widget.Select
	statuses   *widget.CheckGroup
	minAge     *widget.Entry
	maxAge     *widget.Entry
	mode       *widget.Select
	language   *widget.Select
	retention  *widget.Entry
	deadline   *widget.Entry
	sounds     *widget.Check
	save       *widget.Button
	errMsg     *widget.Label
}

func (s *settingsTab) build() fyne.CanvasObject {
	t := s.t
	c := s.core.Config()
	s.server = widget.NewEntry()
	s.server.SetText(c.ServerURL)
	s.server.SetPlaceHolder("https://verify.example.org")
	s.serverCA = widget.NewEntry()
	s.serverCA.SetText(c.ServerCA)
	s.serverCA.SetPlaceHolder(t("settings.server_ca_hint"))
	s.credential = widget.NewEntry()
	s.credential.SetText(c.CredentialFile)
	s.credential.SetPlaceHolder(t("settings.credential_hint"))
	s.roots = widget.NewMultiLineEntry()
	s.roots.SetText(strings.Join(c.Roots, "\n"))
	s.roots.SetMinRowsVisible(2)
	s.venue = widget.NewEntry()
	s.venue.SetText(c.VenueID)
	s.kiosk = widget.NewEntry()
	s.kiosk.SetText(c.KioskID)
	s.camera = widget.NewSelectEntry([]string{"auto", "none", "/dev/video0", "/dev/video1"})
	s.camera.SetText(c.Camera)
	s.resolution = widget.NewSelect(resolutions, nil)
	s.resolution.SetSelected(c.Resolution)
	labels := make([]string, len(statuses))
	for i, st := range statuses {
		labels[i] = statusText(s.cat, s.lang, st)
	}
	s.statuses = widget.NewCheckGroup(labels, nil)
	s.statuses.Horizontal = true
	admitted := c.Policy.Statuses
	if len(admitted) == 0 {
		admitted = statuses
	}
	var sel []string
	for _, st := range admitted {
		if st >= 1 && st <= len(labels) {
			sel = append(sel, labels[st-1])
		}
	}
	s.statuses.SetSelected(sel)
	s.minAge = numberEntry(c.Policy.MinAge)
	s.maxAge = numberEntry(c.Policy.MaxAge)
	modeLabels := []string{t("mode.online-first"), t("mode.offline-first")}
	s.mode = widget.NewSelect(modeLabels, nil)
	s.mode.SetSelectedIndex(max(indexOf(modes, c.Mode), 0))
	s.language = widget.NewSelect([]string{t("lang.system"), "한국어", "English"}, nil)
	s.language.SetSelectedIndex(max(indexOf(languages, c.Language), 0))
	s.retention = numberEntry(c.RetentionDays)
	s.deadline = numberEntry(int(c.Deadline / time.Millisecond))
	s.sounds = widget.NewCheck(t("settings.sounds_on"), nil)
	s.sounds.SetChecked(c.Sounds)
	s.errMsg = widget.NewLabel("")
	s.errMsg.Importance = widget.DangerImportance
	s.errMsg.Wrapping = fyne.TextWrapWord
	s.errMsg.Hide()
	s.save = &widget.Button{Text: t("common.save"), Importance: widget.HighImportance, OnTapped: s.onSave}

	ages := container.NewHBox(widget.NewLabel(t("settings.min_age")), container.NewGridWrap(fyne.NewSize(80, s.minAge.MinSize().Height), s.minAge),
		widget.NewLabel(t("settings.max_age")), container.NewGridWrap(fyne.NewSize(80, s.maxAge.MinSize().Height), s.maxAge))
	form := widget.NewForm(
		widget.NewFormItem(t("settings.server"), s.server),
		widget.NewFormItem(t("settings.server_ca"), s.serverCA),
		widget.NewFormItem(t("settings.credential"), s.credential),
		widget.NewFormItem(t("settings.roots"), s.roots),
		widget.NewFormItem(t("settings.venue"), s.venue),
		widget.NewFormItem(t("settings.kiosk"), s.kiosk),
		widget.NewFormItem(t("settings.camera"), s.camera),
		widget.NewFormItem(t("settings.resolution"), s.resolution),
		widget.NewFormItem(t("settings.statuses"), s.statuses),
		widget.NewFormItem(t("settings.ages"), ages),
		widget.NewFormItem(t("settings.mode"), s.mode),
		widget.NewFormItem(t("settings.deadline"), s.deadline),
		widget.NewFormItem(t("settings.language"), s.language),
		widget.NewFormItem(t("settings.retention"), s.retention),
		widget.NewFormItem(t("settings.sounds"), s.sounds),
	)
	hint := widget.NewLabel(t("settings.restart_hint"))
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVScroll(narrow(1000, container.NewPadded(container.NewVBox(form, hint, s.errMsg, container.NewHBox(s.save)))))
}

func numberEntry(n int) *widget.Entry {
	e := widget.NewEntry()
	if n != 0 {
		e.SetText(strconv.Itoa(n))
	}
	return e
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// config reads the form over the current configuration; it reports fields
// that are not numbers, and leaves the rest of the checking to the engine.
func (s *settingsTab) config() (app.Config, error) {
	t := s.t
	c := s.core.Config()
	c.ServerURL = strings.TrimSpace(s.server.Text)
	c.ServerCA = strings.TrimSpace(s.serverCA.Text)
	c.CredentialFile = strings.TrimSpace(s.credential.Text)
	c.Roots = nil
	for _, line := range strings.Split(s.roots.Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			c.Roots = append(c.Roots, line)
		}
	}
	c.VenueID = strings.TrimSpace(s.venue.Text)
	c.KioskID = strings.TrimSpace(s.kiosk.Text)
	c.Camera = strings.TrimSpace(s.camera.Text)
	c.Resolution = s.resolution.Selected
	c.Policy.Statuses = nil
	for i, st := range statuses {
		for _, sel := range s.statuses.Selected {
			if sel == s.statuses.Options[i] {
				c.Policy.Statuses = append(c.Policy.Statuses, st)
			}
		}
	}
	if len(c.Policy.Statuses) == 0 {
		// Saved as "no list", it would mean the default, all four: the
		// opposite of what the manager asked. Nobody admitted is no policy.
		return c, errors.New(t("settings.no_status"))
	}
	if len(c.Policy.Statuses) == len(statuses) {
		c.Policy.Statuses = nil // the default: all four
	}
	nums := []struct {
		e     *widget.Entry
		label string
		to    *int
	}{
		{s.minAge, t("settings.min_age"), &c.Policy.MinAge},
		{s.maxAge, t("settings.max_age"), &c.Policy.MaxAge},
		{s.retention, t("settings.retention"), &c.RetentionDays},
	}
	for _, n := range nums {
		v, err := atoiOrZero(n.e.Text)
		if err != nil {
			return c, fmt.Errorf("%s: %s", n.label, t("settings.not_a_number"))
		}
		*n.to = v
	}
	ms, err := atoiOrZero(s.deadline.Text)
	if err != nil {
		return c, fmt.Errorf("%s: %s", t("settings.deadline"), t("settings.not_a_number"))
	}
	c.Deadline = time.Duration(ms) * time.Millisecond
	if i := s.mode.SelectedIndex(); i >= 0 {
		c.Mode = modes[i]
	}
	if i := s.language.SelectedIndex(); i >= 0 {
		c.Language = languages[i]
	}
	c.Sounds = s.sounds.Checked
	return c, nil
}

func atoiOrZero(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return n, nil
}

func (s *settingsTab) onSave() {
	old := s.core.Config()
	c, err := s.config()
	if err != nil {
		s.showErr(err)
		s.onDone(err)
		return
	}
	s.save.Disable()
	go func() {
		err := s.core.SaveConfig(s.ctx, s.by, c)
		s.do(func() { s.saved(c, needsReload(old, c), err) })
	}()
}

// needsReload is true when c changes what the running engine was opened
// with: the service, the roots or the camera.
func needsReload(old, c app.Config) bool {
	return old.ServerURL != c.ServerURL || strings.Join(old.Roots, "\n") != strings.Join(c.Roots, "\n") ||
		old.Camera != c.Camera || old.Resolution != c.Resolution || old.DCCTrust != c.DCCTrust
}

func (s *settingsTab) showErr(err error) {
	s.errMsg.SetText(err.Error())
	s.errMsg.Show()
}

func (s *settingsTab) saved(c app.Config, reload bool, err error) {
	s.save.Enable()
	defer s.onDone(err)
	if err != nil {
		s.showErr(fmt.Errorf("%s: %w", s.t("settings.failed"), err))
		return
	}
	s.errMsg.Hide()
	if reload && s.onReload != nil {
		s.onReload()
		return
	}
	if pickLanguage(c.Language, s.systemLanguage) != s.lang {
		s.languageChanged(c.Language)
	}
	s.toast(s.t("settings.saved"))
}
