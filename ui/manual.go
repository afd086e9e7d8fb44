package ui

import (
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
	k     *Kiosk
	by    app.Person
	popup *widget.PopUp

	name   *widget.Entry
	phone  *widget.Entry
	reason *widget.Select
	note   *widget.Entry
	errMsg *widget.Label
	save   *widget.Button
	cancel *widget.Button
}

// showManualEntry opens the manual entry form for by.
func (k *Kiosk) showManualEntry(by app.Person) {
	f := &manualForm{k: k, by: by}
	f.popup = widget.NewModalPopUp(f.build(), k.win.Canvas())
	size := k.win.Canvas().Size()
	f.popup.Resize(fyne.NewSize(fyne.Min(size.Width*0.9, 640), f.popup.MinSize().Height))
	f.popup.Show()
	k.win.Canvas().Focus(f.name)
	k.manual = f
}

func (f *manualForm) build() fyne.CanvasObject {
	t := f.k.t
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(t("manual.name_hint"))
	f.phone = widget.NewEntry()
	f.phone.SetPlaceHolder("010-1234-5678")
	labels := make([]string, len(manualReasons))
	for i, r := range manualReasons {
		labels[i] = t("manual." + string(r))
	}
	f.reason = widget.NewSelect(labels, nil)
	if f.k.eng.Status().Online {
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
	f.k.win.Canvas().Unfocus() // typed keys go back to the wedge reader
	if f.k.manual == f {
		f.k.manual = nil
	}
}

// onSave checks what staff can fix here and leaves the rest to the engine.
func (f *manualForm) onSave() {
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		f.fail(f.k.t("manual.need_name"))
		return
	}
	i := f.reason.SelectedIndex()
	if i < 0 {
		f.fail(f.k.t("manual.need_reason"))
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
		saved, err := f.k.eng.RecordManual(f.k.ctx, f.by, e)
		f.k.do(func() { f.saved(saved, err) })
	}()
}

func (f *manualForm) fail(msg string) {
	f.errMsg.SetText(msg)
	f.errMsg.Show()
	f.popup.Resize(fyne.NewSize(f.popup.Size().Width, f.popup.MinSize().Height))
}

func (f *manualForm) saved(e app.Entry, err error) {
	f.save.Enable()
	defer f.k.done("manual", err)
	if err != nil {
		f.fail(f.k.errorText(err))
		return
	}
	f.close()
	f.k.toast(f.k.t("manual.saved", e.VisitorName, e.Time.Local().Format("15:04")))
}
