package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// manualReasons are offered in this order; the labels come from the
// translations ("manual.<reason>").
var manualReasons = []app.ManualReason{app.ReasonOutage, app.ReasonNoPhone, app.ReasonMedicalExemption, app.ReasonMinor, app.ReasonOther}

// manualForm records a visitor by hand (the paper log's replacement) as
// the signed-in staff member.
type manualForm struct {
	core    manualCore
	ctx     context.Context
	win     fyne.Window
	t       translate
	do      func(func())
	toast   func(msg string)
	onDone  func(err error) // the save finished
	onClose func()          // the form left the screen
	by      app.Person
	popup   *widget.PopUp

	name   *widget.Entry
	phone  *widget.Entry
	reason *widget.Select
	note   *widget.Entry
	errMsg *widget.Label
	save   *widget.Button
	cancel *widget.Button
}

// show puts the form up as a modal pop-up with the name field focused.
func (f *manualForm) show() {
	f.popup = widget.NewModalPopUp(f.build(), f.win.Canvas())
	size := f.win.Canvas().Size()
	f.popup.Resize(fyne.NewSize(fyne.Min(size.Width*0.9, 640), f.popup.MinSize().Height))
	f.popup.Show()
	f.win.Canvas().Focus(f.name)
}

func (f *manualForm) build() fyne.CanvasObject {
	t := f.t
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(t("manual.name_hint"))
	f.phone = widget.NewEntry()
	f.phone.SetPlaceHolder("010-1234-5678")
	labels := make([]string, len(manualReasons))
	for i, r := range manualReasons {
		labels[i] = t("manual." + string(r))
	}
	f.reason = widget.NewSelect(labels, nil)
	if f.core.Status().Online {
		f.reason.SetSelectedIndex(1)
	} else {
		f.reason.SetSelectedIndex(0)
	}
	f.note = widget.NewMultiLineEntry()
	f.note.SetMinRowsVisible(2)
	f.errMsg = widget.NewLabel("")
	f.errMsg.Importance = widget.DangerImportance
	f.errMsg.Wrapping = fyne.TextWrapWord
	f.errMsg.Hide()
	form := widget.NewForm(
		widget.NewFormItem(t("manual.name"), f.name),
		widget.NewFormItem(t("manual.phone"), f.phone),
		widget.NewFormItem(t("manual.reason"), f.reason),
		widget.NewFormItem(t("manual.note"), f.note),
	)
	f.save = &widget.Button{Text: t("common.save"), Importance: widget.HighImportance, OnTapped: f.onSave}
	f.cancel = &widget.Button{Text: t("common.cancel"), OnTapped: f.close}
	title := heading(t("manual.title"), fyne.TextAlignLeading)
	by := widget.NewLabel(t("manual.by", f.by.Name))
	return container.NewVBox(title, by, form, f.errMsg, container.NewGridWithColumns(2, f.cancel, f.save))
}

func (f *manualForm) close() {
	f.popup.Hide()
	f.win.Canvas().Unfocus() // typed keys go back to the wedge reader
	f.onClose()
}

// onSave checks what staff can fix here and leaves the rest to the engine.
func (f *manualForm) onSave() {
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		f.fail(f.t("manual.need_name"))
		return
	}
	i := f.reason.SelectedIndex()
	if i < 0 {
		f.fail(f.t("manual.need_reason"))
		return
	}
	e := app.Entry{
		VisitorName:  name,
		Phone:        strings.TrimSpace(f.phone.Text),
		ManualReason: manualReasons[i],
		Note:         strings.TrimSpace(f.note.Text),
	}
	f.save.Disable()
	go func() {
		saved, err := f.core.RecordManual(f.ctx, f.by, e)
		f.do(func() { f.saved(saved, err) })
	}()
}

func (f *manualForm) fail(msg string) {
	f.errMsg.SetText(msg)
	f.errMsg.Show()
	f.popup.Resize(fyne.NewSize(f.popup.Size().Width, f.popup.MinSize().Height))
}

func (f *manualForm) saved(e app.Entry, err error) {
	f.save.Enable()
	defer f.onDone(err)
	if err != nil {
		f.fail(errorText(f.t, err))
		return
	}
	f.close()
	f.toast(f.t("manual.saved", e.VisitorName, e.Time.Local().Format("15:04")))
}
