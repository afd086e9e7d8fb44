package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// staffTab lists staff and managers and lets a manager add people, change
// a PIN and deactivate someone who left.
type staffTab struct {
	core   staffCore
	ctx    context.Context
	win    fyne.Window
	t      translate
	do     func(func())
	toast  func(msg string)
	onDone func(err error) // background work finished
	by     app.Person

	people   []app.Person
	list     *widget.List
	selected int

	name     *widget.Entry
	role     *widget.Select
	pin      *widget.Entry
	pin2     *widget.Entry
	add      *widget.Button
	setPIN   *widget.Button
	deact    *widget.Button
	errMsg   *widget.Label
	selLabel *widget.Label
}

// newStaffTab builds the staff tab for the signed-in manager by.
func newStaffTab(ctx context.Context, core staffCore, win fyne.Window, t translate, do func(func()), toast func(string), onDone func(error), by app.Person) *staffTab {
	return &staffTab{core: core, ctx: ctx, win: win, t: t, do: do, toast: toast, onDone: onDone, by: by, selected: -1}
}

func (s *staffTab) build() fyne.CanvasObject {
	t := s.t
	s.list = widget.NewList(func() int { return len(s.people) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(s.people) {
				o.(*widget.Label).SetText(s.personText(s.people[i]))
			}
		})
	s.list.OnSelected = s.onSelect
	s.name = widget.NewEntry()
	s.role = widget.NewSelect([]string{t("role.staff"), t("role.manager")}, nil)
	s.role.SetSelectedIndex(0)
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(t("staff.pin_hint"))
	s.pin2 = widget.NewPasswordEntry()
	s.add = &widget.Button{Text: t("staff.add"), Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: s.onAdd}
	form := widget.NewForm(
		widget.NewFormItem(t("staff.name"), s.name),
		widget.NewFormItem(t("staff.role"), s.role),
		widget.NewFormItem(t("staff.pin"), s.pin),
		widget.NewFormItem(t("staff.pin_again"), s.pin2),
	)
	s.selLabel = widget.NewLabel(t("staff.none_selected"))
	s.setPIN = &widget.Button{Text: t("staff.set_pin"), Icon: theme.ViewRefreshIcon(), OnTapped: s.onSetPIN}
	s.deact = &widget.Button{Text: t("staff.deactivate"), Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: s.onDeactivate}
	s.setPIN.Disable()
	s.deact.Disable()
	s.errMsg = widget.NewLabel("")
	s.errMsg.Importance = widget.DangerImportance
	s.errMsg.Wrapping = fyne.TextWrapWord
	s.errMsg.Hide()
	addTitle := heading(t("staff.add_title"), fyne.TextAlignLeading)
	selTitle := heading(t("staff.selected"), fyne.TextAlignLeading)
	right := container.NewVBox(addTitle, form, container.NewHBox(s.add), widget.NewSeparator(),
		selTitle, s.selLabel, container.NewHBox(s.setPIN, s.deact), s.errMsg)
	split := container.NewHSplit(s.list, container.NewPadded(right))
	split.Offset = 0.45
	return split
}

func (s *staffTab) personText(p app.Person) string {
	text := fmt.Sprintf("%s  ·  %s", p.Name, s.t("role."+string(p.Role)))
	if !p.Active {
		text += "  ·  " + s.t("staff.inactive")
	}
	return text
}

// load reads the people off the UI goroutine.
func (s *staffTab) load() {
	go func() {
		list, err := s.core.ListPeople(s.ctx, s.by)
		s.do(func() {
			if err == nil {
				s.people = list
				s.selected = -1
				s.list.UnselectAll()
				s.list.Refresh()
				s.setPIN.Disable()
				s.deact.Disable()
				s.selLabel.SetText(s.t("staff.none_selected"))
			}
			s.showErr(err)
			s.onDone(err)
		})
	}()
}

func (s *staffTab) showErr(err error) {
	if err == nil {
		s.errMsg.Hide()
		return
	}
	s.errMsg.SetText(errorText(s.t, err))
	s.errMsg.Show()
}

func (s *staffTab) onSelect(i widget.ListItemID) {
	if i < 0 || i >= len(s.people) {
		return
	}
	s.selected = i
	s.selLabel.SetText(s.personText(s.people[i]))
	s.setPIN.Enable()
	if s.people[i].Active && s.people[i].ID != s.by.ID {
		s.deact.Enable()
	} else {
		s.deact.Disable() // a manager cannot lock themselves out
	}
}

// checkPIN says what is wrong with a new PIN before the ledger sees it;
// the rule itself is the core's (app.ValidatePIN).
func checkPIN(pin, again string) error {
	if err := app.ValidatePIN(pin); err != nil {
		return err
	}
	if pin != again {
		return errPINMismatch
	}
	return nil
}

func (s *staffTab) onAdd() {
	name := s.name.Text // the core trims it and refuses an empty one
	if err := checkPIN(s.pin.Text, s.pin2.Text); err != nil {
		s.showErr(err)
		return
	}
	role := app.Staff
	if s.role.SelectedIndex() == 1 {
		role = app.Manager
	}
	pin := s.pin.Text
	s.run(func() error {
		_, err := s.core.AddPerson(s.ctx, s.by, name, role, pin)
		return err
	}, func() {
		s.name.SetText("")
		s.pin.SetText("")
		s.pin2.SetText("")
	})
}

func (s *staffTab) onSetPIN() {
	if s.selected < 0 {
		return
	}
	p := s.people[s.selected]
	pin := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	items := []*widget.FormItem{
		widget.NewFormItem(s.t("staff.pin"), pin),
		widget.NewFormItem(s.t("staff.pin_again"), again),
	}
	dialog.ShowForm(s.t("staff.set_pin_for", p.Name), s.t("common.save"), s.t("common.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if err := checkPIN(pin.Text, again.Text); err != nil {
			s.showErr(err)
			return
		}
		newPIN := pin.Text
		s.run(func() error {
			return s.core.SetPIN(s.ctx, s.by, p, newPIN)
		}, nil)
	}, s.win)
}

func (s *staffTab) onDeactivate() {
	if s.selected < 0 {
		return
	}
	p := s.people[s.selected]
	dialog.ShowConfirm(s.t("staff.deactivate"), s.t("staff.deactivate_confirm", p.Name), func(ok bool) {
		if !ok {
			return
		}
		s.run(func() error {
			return s.core.Deactivate(s.ctx, s.by, p)
		}, nil)
	}, s.win)
}

// run does a change off the UI goroutine, then reloads the list.
func (s *staffTab) run(change func() error, after func()) {
	s.add.Disable()
	go func() {
		err := change()
		s.do(func() {
			s.add.Enable()
			if err != nil {
				s.showErr(err)
				s.onDone(err)
				return
			}
			if after != nil {
				after()
			}
			s.toast(s.t("staff.saved"))
			s.load()
		})
	}()
}
