package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/widget"
)

// onPick shows a calendar to choose the day from.
func (r *reviewTab) onPick() {
	var pop *widget.PopUp
	cal := widget.NewCalendar(r.day, func(d time.Time) {
		pop.Hide()
		r.setDay(d)
	})
	pop = widget.NewModalPopUp(cal, r.win.Canvas())
	pop.Show()
}

// dayText writes a day the way the language does: "2026년 12월 1일 (화)",
// "Tue 1 Dec 2026".
func dayText(c *catalog, l string, d time.Time) string {
	return c.text(l, "review.day", d.Year(), int(d.Month()), d.Day(),
		c.text(l, fmt.Sprintf("weekday.%d", d.Weekday())), c.text(l, fmt.Sprintf("month.%d", d.Month())))
}
