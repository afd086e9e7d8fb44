package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// StartErrorOptions tune the screen shown when the kiosk cannot open.
type StartErrorOptions struct {
	// KioskMode: closing needs a manager's PIN everywhere else, and no PIN
	// can be checked while the kiosk is not open, so there is no Quit
	// button; the screen says so.
	KioskMode bool
	Retry     func()
	Quit      func()
	// Language is the screen's language; SystemLanguage when empty (the
	// configuration may be what cannot be read).
	Language string
}

// StartErrorScreen says what stopped the kiosk from opening and what to do,
// in words, with the technical detail below for the IT person.
type StartErrorScreen struct {
	Title, What, Todo, Detail *widget.Label
	Retry, Quit               *widget.Button
	KioskNote                 *widget.Label
}

// ShowStartError fills w with the start-up problem err.
func ShowStartError(w fyne.Window, err *app.StartError, o StartErrorOptions) (*StartErrorScreen, error) {
	cat, cerr := loadCatalog()
	if cerr != nil {
		return nil, cerr
	}
	l := pickLanguage(o.Language, SystemLanguage)
	t := func(key string) string { return cat.text(l, key) }
	p := string(err.Problem)
	if !cat.has("start." + p + ".what") {
		p = string(app.StartOther)
	}
	s := &StartErrorScreen{
		Title:     heading(t("start.title"), fyne.TextAlignLeading),
		What:      widget.NewLabel(t("start." + p + ".what")),
		Todo:      widget.NewLabel(t("start." + p + ".todo")),
		Detail:    widget.NewLabel(t("start.detail") + " " + err.Err.Error()),
		Retry:     &widget.Button{Text: t("start.retry"), Icon: theme.ViewRefreshIcon(), Importance: widget.HighImportance, OnTapped: o.Retry},
		Quit:      &widget.Button{Text: t("start.quit"), OnTapped: o.Quit},
		KioskNote: widget.NewLabel(t("start.kiosk_no_quit")),
	}
	for _, lb := range []*widget.Label{s.What, s.Todo, s.Detail, s.KioskNote} {
		lb.Wrapping = fyne.TextWrapWord
	}
	s.What.TextStyle.Bold = true
	s.Detail.SizeName = theme.SizeNameCaptionText
	buttons := container.NewHBox(s.Retry, s.Quit)
	if o.KioskMode {
		s.Quit.Hide()
	} else {
		s.KioskNote.Hide()
	}
	body := container.NewVBox(s.Title, s.What, s.Todo, buttons, s.KioskNote, widget.NewSeparator(), s.Detail)
	w.SetContent(container.NewCenter(container.New(fixedWidth(720), body)))
	return s, nil
}
