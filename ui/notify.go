package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
	"passdesk/pass"
)

// toast shows msg for a few seconds in the current screen's message line
// (a pop-up would swallow the next tap).
func (k *Kiosk) toast(msg string) {
	var l *widget.Label
	switch {
	case k.screen == screenManager && k.manager != nil:
		l = k.manager.message
	case k.screen == screenScan && k.scan != nil:
		l = k.scan.message
	}
	if l == nil {
		return
	}
	l.SetText(msg)
	l.Show()
	k.o.After(4*time.Second, func() {
		k.do(func() {
			if l.Text == msg {
				l.Hide()
			}
		})
	})
}

// showAlert raises a later correction (a pass admitted offline that the
// service then found revoked) until staff acknowledge it.
func (k *Kiosk) showAlert(r app.Result) {
	alertDialog(k.win, k.cat, k.lang, r).Show()
	k.play(false)
}

// alertDialog puts a later correction into words in language l, over win.
func alertDialog(win fyne.Window, cat *catalog, l string, r app.Result) dialog.Dialog {
	t := func(key string, args ...any) string { return cat.text(l, key, args...) }
	name := r.Entry.Name
	if name == "" {
		name = r.Verdict.Name
	}
	at := r.Entry.Time.Local().Format("15:04")
	window, title := t("alert.window"), t("alert.title")
	body := widget.NewLabel(t("alert.body", name, at, reasonText(cat, l, string(r.Verdict.Reason))))
	if r.Verdict.Reason == pass.ServiceDisagrees {
		// The entry holds the kiosk's own reason, which stood.
		window, title = t("alert.disagree.window"), t("alert.disagree.title")
		body.SetText(t("alert.disagree.body", name, at, reasonText(cat, l, r.Entry.Reason)))
	}
	head := canvas.NewText(title, colorDeny)
	head.TextSize = 28
	head.TextStyle.Bold = true
	body.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(window, t("alert.ack"), container.NewVBox(head, body), win)
	d.Resize(fyne.NewSize(560, 280))
	return d
}

// onClose guards the window in kiosk mode: only a manager may close it.
func (k *Kiosk) onClose() {
	if !k.o.KioskMode {
		k.o.Quit()
		return
	}
	k.askPIN(app.Manager, func(app.Person) { k.o.Quit() })
}
