package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
)

// reviewLimit is how many entries the list shows at once.
const reviewLimit = 500

// reviewTab is the day's review: totals, visitors per hour, outages, and
// the filterable list of entries with manual ones highlighted.
type reviewTab struct {
	core       reviewCore
	ctx        context.Context
	win        fyne.Window
	cat        *catalog
	lang       string
	t          translate
	do         func(func())
	toast      func(msg string)
	now        func() time.Time
	onLoaded   func(err error) // the summary or list finished loading
	onExported func(err error) // an export finished
	by         app.Person

	day     time.Time
	date    *widget.Label  // the day in words, in the kiosk's language
	pick    *widget.Button // opens a calendar
	prev    *widget.Button
	next    *widget.Button
	today   *widget.Button
	csv     *widget.Button
	pdf     *widget.Button
	totals  map[string]*widget.Label
	chart   *hourChart
	noVisit *widget.Label // over an empty chart
	outages *widget.Label
	notices *widget.Label
	outcome *widget.Select
	method  *widget.Select
	query   *widget.Entry
	list    *widget.List
	count   *widget.Label
	more    *widget.Button
	errMsg  *widget.Label

	limit   int // entries per page
	summary app.DaySummary
	entries []app.Entry
	total   int
}

// The totals shown, in order, with their translation keys.
var totalKeys = []string{"total", "admit", "deny", "duplicate", "manual", "online", "offline", "unreadable"}

// setToday starts the review on the clock's day.
func (r *reviewTab) setToday() {
	now := r.now()
	r.day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
}

func (r *reviewTab) build() fyne.CanvasObject {
	t := r.t
	// Not a DateEntry: it writes the date in the system locale's form
	// (01/12/2026), whatever language the kiosk speaks.
	r.date = widget.NewLabelWithStyle(dayText(r.cat, r.lang, r.day), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	r.pick = &widget.Button{Icon: theme.CalendarIcon(), OnTapped: r.onPick}
	r.prev = &widget.Button{Icon: theme.NavigateBackIcon(), OnTapped: func() { r.setDay(r.day.AddDate(0, 0, -1)) }}
	r.next = &widget.Button{Icon: theme.NavigateNextIcon(), OnTapped: func() { r.setDay(r.day.AddDate(0, 0, 1)) }}
	r.today = &widget.Button{Text: t("review.today"), OnTapped: func() { r.setDay(r.now()) }}
	r.csv = &widget.Button{Text: t("review.export_csv"), Icon: theme.DocumentSaveIcon(), OnTapped: func() { r.onExport("csv") }}
	r.pdf = &widget.Button{Text: t("review.export_pdf"), Icon: theme.DocumentPrintIcon(), OnTapped: func() { r.onExport("pdf") }}
	dateRow := container.NewHBox(r.prev, r.date, r.pick, r.next, r.today)
	top := container.NewBorder(nil, nil, dateRow, container.NewHBox(r.csv, r.pdf))

	r.totals = map[string]*widget.Label{}
	cards := container.NewGridWithColumns(len(totalKeys))
	for _, key := range totalKeys {
		n := widget.NewLabelWithStyle("0", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		n.SizeName = theme.SizeNameHeadingText
		r.totals[key] = n
		name := widget.NewLabelWithStyle(t("total."+key), fyne.TextAlignCenter, fyne.TextStyle{})
		back := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		back.CornerRadius = 8
		cards.Add(container.NewStack(back, container.NewVBox(n, name)))
	}
	r.chart = newHourChart()
	r.noVisit = widget.NewLabelWithStyle(t("review.no_admissions"), fyne.TextAlignCenter, fyne.TextStyle{})
	chartTitle := heading(t("review.hourly"), fyne.TextAlignLeading)
	r.outages = widget.NewLabel("")
	r.outages.Wrapping = fyne.TextWrapWord
	r.notices = widget.NewLabel("")
	r.notices.Wrapping = fyne.TextWrapWord
	r.notices.Importance = widget.WarningImportance
	r.notices.Hide()
	r.errMsg = widget.NewLabel("")
	r.errMsg.Importance = widget.DangerImportance
	r.errMsg.Hide()
	outTitle := heading(t("review.outages"), fyne.TextAlignLeading)
	left := container.NewBorder(container.NewVBox(chartTitle), container.NewVBox(outTitle, r.outages), nil, nil, container.NewStack(r.chart, container.NewCenter(r.noVisit)))

	r.outcome = widget.NewSelect([]string{t("filter.all"), t("outcome.admit"), t("outcome.deny"), t("outcome.duplicate")}, func(string) { r.loadList() })
	r.outcome.SetSelectedIndex(0)
	r.method = widget.NewSelect([]string{t("filter.all"), t("method.online"), t("method.offline"), t("method.manual")}, func(string) { r.loadList() })
	r.method.SetSelectedIndex(0)
	r.query = widget.NewEntry()
	r.query.SetPlaceHolder(t("filter.name"))
	r.query.OnSubmitted = func(string) { r.loadList() }
	search := &widget.Button{Icon: theme.SearchIcon(), OnTapped: r.loadList}
	filters := container.NewBorder(nil, nil, container.NewHBox(r.outcome, r.method), search, r.query)
	r.list = widget.NewList(func() int { return len(r.entries) }, r.newRow, r.updateRow)
	r.list.OnSelected = r.onSelect
	r.count = widget.NewLabel("")
	r.more = &widget.Button{Text: t("review.more"), Icon: theme.MoreVerticalIcon(), OnTapped: r.onMore}
	r.more.Hide()
	right := container.NewBorder(filters, container.NewBorder(nil, nil, nil, r.more, r.count), nil, nil, r.list)

	split := container.NewHSplit(left, right)
	split.Offset = 0.38
	return container.NewBorder(container.NewVBox(top, cards, r.notices, r.errMsg), nil, nil, nil, split)
}

func (r *reviewTab) setDay(d time.Time) {
	r.day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location())
	r.date.SetText(dayText(r.cat, r.lang, r.day))
	r.load()
}

// filter is what the filter row asks for.
func (r *reviewTab) filter() app.Filter {
	f := app.Filter{Day: r.day, Query: strings.TrimSpace(r.query.Text), Limit: r.limit}
	f.Outcome = []app.Outcome{"", app.Admit, app.Deny, app.Duplicate}[max(r.outcome.SelectedIndex(), 0)]
	f.Method = []app.Method{"", app.Online, app.Offline, app.Manual}[max(r.method.SelectedIndex(), 0)]
	return f
}

// load reads the day's summary and list off the UI goroutine.
func (r *reviewTab) load() {
	day, f := r.day, r.filter()
	notices := r.core.Status().Notices
	go func() {
		sum, err := r.core.Summary(r.ctx, r.by, day)
		var entries []app.Entry
		var total int
		if err == nil {
			entries, total, err = r.core.List(r.ctx, r.by, f)
		}
		r.do(func() {
			r.showNotices(notices)
			if err == nil {
				r.showSummary(sum)
				r.showList(entries, total)
			}
			r.showErr(err)
			r.onLoaded(err)
		})
	}()
}

// loadList reloads only the list, after a filter changed.
func (r *reviewTab) loadList() {
	if r.list == nil || r.query == nil {
		return // still building
	}
	f := r.filter()
	go func() {
		entries, total, err := r.core.List(r.ctx, r.by, f)
		r.do(func() {
			if err == nil {
				r.showList(entries, total)
			}
			r.showErr(err)
			r.onLoaded(err)
		})
	}()
}

func (r *reviewTab) showErr(err error) {
	if err != nil {
		r.errMsg.SetText(errorText(r.t, err))
		r.errMsg.Show()
	} else {
		r.errMsg.Hide()
	}
}

func (r *reviewTab) showNotices(ns []app.Notice) {
	if len(ns) == 0 {
		r.notices.Hide()
		return
	}
	lines := make([]string, len(ns))
	for i, n := range ns {
		lines[i] = noticeText(r.cat, r.lang, n)
	}
	r.notices.SetText(strings.Join(lines, "\n"))
	r.notices.Show()
}

func (r *reviewTab) showSummary(s app.DaySummary) {
	r.summary = s
	vals := map[string]int{
		"total":     s.Total,
		"admit":     s.ByOutcome[app.Admit],
		"deny":      s.ByOutcome[app.Deny],
		"duplicate": s.ByOutcome[app.Duplicate],
		"manual":    s.Manual,
		"online":    s.ByMethod[app.Online],
		"offline":   s.ByMethod[app.Offline],
		// Texts that were no pass: nothing was checked, offline or not.
		"unreadable": s.Unreadable,
	}
	for key, l := range r.totals {
		l.SetText(fmt.Sprint(vals[key]))
	}
	r.chart.set(s.Hourly)
	r.noVisit.Show()
	for _, n := range s.Hourly {
		if n > 0 {
			r.noVisit.Hide()
		}
	}
	if len(s.Outages) == 0 {
		r.outages.SetText(r.t("review.no_outages"))
		return
	}
	lines := make([]string, len(s.Outages))
	for i, o := range s.Outages {
		end := r.t("review.ongoing")
		if !o.End.IsZero() {
			end = o.End.Local().Format("15:04")
		}
		if o.Stopped {
			end += " (" + r.t("review.outage_stopped") + ")"
		}
		lines[i] = fmt.Sprintf("%s – %s  %s", o.Start.Local().Format("15:04"), end, causeText(r.cat, r.lang, o.Cause))
	}
	r.outages.SetText(strings.Join(lines, "\n"))
}

func (r *reviewTab) showList(entries []app.Entry, total int) {
	r.entries, r.total = entries, total
	r.list.UnselectAll()
	r.list.Refresh()
	r.showCount()
}

func (r *reviewTab) showCount() {
	r.count.SetText(r.t("review.count", len(r.entries), r.total))
	if len(r.entries) < r.total {
		r.more.Show()
	} else {
		r.more.Hide()
	}
}

// onMore loads the next page of the list.
func (r *reviewTab) onMore() {
	f := r.filter()
	f.Offset = len(r.entries)
	r.more.Disable()
	go func() {
		entries, total, err := r.core.List(r.ctx, r.by, f)
		r.do(func() {
			r.more.Enable()
			if err == nil {
				r.entries = append(r.entries, entries...)
				r.total = total
				r.list.Refresh()
				r.showCount()
			}
			r.showErr(err)
			r.onLoaded(err)
		})
	}()
}

// A list row: a highlight behind the time, outcome, who and why.
func (r *reviewTab) newRow() fyne.CanvasObject {
	back := canvas.NewRectangle(colorManualRow)
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewStack(back, l)
}

func (r *reviewTab) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(r.entries) {
		return
	}
	e := r.entries[i]
	c := o.(*fyne.Container)
	back := c.Objects[0].(*canvas.Rectangle)
	l := c.Objects[1].(*widget.Label)
	l.SetText(r.rowText(e))
	if e.Method == app.Manual {
		back.Show()
		l.TextStyle.Bold = true
	} else {
		back.Hide()
		l.TextStyle.Bold = false
	}
	l.Refresh()
}

// rowText is one entry as the list shows it.
func (r *reviewTab) rowText(e app.Entry) string {
	t := r.t
	parts := []string{e.Time.Local().Format("15:04:05"), t("outcome." + string(e.Outcome)), methodText(r.cat, r.lang, e)}
	if e.Method == app.Manual {
		parts = append(parts, e.VisitorName, e.PhoneMask, t("manual."+string(e.ManualReason)), t("review.by", e.Staff))
	} else {
		parts = append(parts, e.Name)
		if e.Outcome == app.Deny {
			parts = append(parts, reasonText(r.cat, r.lang, e.Reason))
		}
	}
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "  ·  ")
}

// onSelect shows an entry in full; a manager may reveal a manual entry's
// phone number.
func (r *reviewTab) onSelect(i widget.ListItemID) {
	if i < 0 || i >= len(r.entries) {
		return
	}
	e := r.entries[i]
	t := r.t
	text := widget.NewLabel(r.rowText(e) + "\n" + e.Note)
	text.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{text}
	if e.Method == app.Manual && e.PhoneMask != "" {
		phone := widget.NewLabel("")
		reveal := &widget.Button{Text: t("review.reveal_phone"), Icon: theme.VisibilityIcon()}
		reveal.OnTapped = func() {
			reveal.Disable()
			go func() {
				p, err := r.core.RevealPhone(r.ctx, r.by, e.ID)
				r.do(func() {
					if err != nil {
						phone.SetText(errorText(r.t, err))
					} else {
						phone.SetText(p)
					}
				})
			}()
		}
		items = append(items, container.NewHBox(reveal, phone))
	}
	d := dialog.NewCustom(t("review.entry"), t("common.close"), container.NewVBox(items...), r.win)
	d.Resize(fyne.NewSize(560, 260))
	d.SetOnClosed(r.list.UnselectAll)
	d.Show()
}
