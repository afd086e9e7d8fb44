package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"passdesk/app"
	"passdesk/pass"
)

// verdictKind is what the visitor is told, which picks colour and icon.
type verdictKind int

const (
	kindAdmit verdictKind = iota
	kindDeny
	kindDuplicate
	kindNotRecorded
)

// verdictText is a Result put into words.
type verdictText struct {
	Kind     verdictKind
	Headline string
	Name     string // the masked name, or empty
	Detail   string // the status for admit, the reason for deny
	Rule     string // the failed business rule's text for staff (rules_failed), or empty
	Action   string // what to do next, or empty
	Footer   string // how and when it was decided, small
}

// describe turns a Result into the words the verdict screen shows in
// language l. Every reason code of pass/pass.go has its own sentence and
// action (see TestEveryReasonHasWords).
func describe(c *catalog, l string, r app.Result) verdictText {
	t := func(key string, args ...any) string { return c.text(l, key, args...) }
	reason := string(r.Verdict.Reason)
	if reason == "" {
		reason = r.Entry.Reason
	}
	name := r.Entry.Name
	if name == "" {
		name = r.Verdict.Name
	}
	v := verdictText{Name: name}
	outcome := r.Entry.Outcome
	if outcome == "" {
		outcome = app.Deny
		if r.Verdict.Admit {
			outcome = app.Admit
		}
	}
	switch {
	case outcome == app.Duplicate || reason == string(pass.Duplicate):
		v.Kind = kindDuplicate
		v.Headline = t("verdict.duplicate")
		v.Detail = t("verdict.duplicate.detail")
	case outcome == app.Admit:
		v.Kind = kindAdmit
		v.Headline = t("verdict.admit")
		v.Detail = statusText(c, l, int(r.Verdict.Status))
	default:
		v.Kind = kindDeny
		v.Headline = t("verdict.deny")
		v.Detail = reasonText(c, l, reason)
		v.Action = t(reasonKey("do", reason))
		if !c.has(reasonKey("deny", reason)) {
			v.Action = t("do.unknown")
		}
		if reason == string(pass.RulesFailed) {
			v.Rule = ruleText(l, r)
		}
	}
	if !r.Recorded {
		// The visitor must not be waved in on a verdict the ledger does not
		// hold: staff are told to write the visit down by hand.
		v.Kind = kindNotRecorded
		v.Action = t("verdict.not_recorded.action")
		v.Detail = v.Headline + " · " + t("verdict.not_recorded.detail")
		v.Headline = t("verdict.not_recorded")
	}
	method := methodText(c, l, r.Entry)
	var parts []string
	if method != "" {
		parts = append(parts, method)
	}
	if !r.Entry.Time.IsZero() {
		parts = append(parts, r.Entry.Time.Format("15:04:05"))
	}
	if r.Took > 0 {
		parts = append(parts, tookText(r.Took))
	}
	v.Footer = strings.Join(parts, " · ")
	return v
}

// ruleText is the failed rule's text for staff in language l, as the
// scheme gave it; the rule's ID when only the ledger entry names it.
func ruleText(l string, r app.Result) string {
	if t := r.Verdict.Rule.StaffText(l); t != "" {
		return t
	}
	return r.Entry.Rule
}

func reasonKey(prefix, reason string) string { return prefix + "." + reason }

// reasonText is the plain-language sentence for a reason code.
func reasonText(c *catalog, l, reason string) string {
	if c.has(reasonKey("deny", reason)) {
		return c.text(l, reasonKey("deny", reason))
	}
	return c.text(l, "deny.unknown", reason)
}

// noticeText puts a core notice into words; its detail is shown as it is.
func noticeText(c *catalog, l string, n app.Notice) string {
	key := "notice." + string(n.Code)
	if c.has(key) {
		return c.text(l, key, n.Detail)
	}
	return c.text(l, "notice.unknown", string(n.Code), n.Detail)
}

// methodText says how an entry was decided; a text that was no pass was
// not checked at all, offline or not (the review counts it apart).
func methodText(c *catalog, l string, e app.Entry) string {
	switch {
	case e.Method == "":
		return ""
	case e.Method != app.Manual && (e.Reason == string(pass.Malformed) || e.Reason == string(pass.UnsupportedFormat)):
		return c.text(l, "method.unreadable")
	}
	return c.text(l, "method."+string(e.Method))
}

// causeText names an outage's cause (app/remote's words: "timeout",
// "connection refused", "http 503") in language l; a cause it does not
// know is shown as it came.
func causeText(c *catalog, l, cause string) string {
	if code, ok := strings.CutPrefix(cause, "http "); ok {
		return c.text(l, "cause.http", code)
	}
	key := "cause." + strings.ReplaceAll(cause, " ", "_")
	if c.has(key) {
		return c.text(l, key)
	}
	return cause
}

// statusText names a pass status claim.
func statusText(c *catalog, l string, status int) string {
	key := fmt.Sprintf("status.%d", status)
	if c.has(key) {
		return c.text(l, key)
	}
	return c.text(l, "status.unknown", status)
}

func (c *catalog) has(key string) bool {
	_, ok := c.msgs[English][key]
	return ok
}

// verdictView is the full-screen verdict: colour, icon and words sized from
// the screen height so they can be read from two metres.
type verdictView struct {
	widget.BaseWidget
	text  verdictText
	onTap func()
}

func newVerdictView(onTap func()) *verdictView {
	v := &verdictView{onTap: onTap}
	v.ExtendBaseWidget(v)
	return v
}

// setVerdict replaces the words on screen.
func (v *verdictView) setVerdict(t verdictText) {
	v.text = t
	v.Refresh()
}

// Tapped lets staff clear the verdict early.
func (v *verdictView) Tapped(*fyne.PointEvent) {
	if v.onTap != nil {
		v.onTap()
	}
}

func (v *verdictView) CreateRenderer() fyne.WidgetRenderer {
	r := &verdictRenderer{v: v, bg: canvas.NewRectangle(colorDeny), icon: canvas.NewImageFromResource(nil)}
	r.icon.FillMode = canvas.ImageFillContain
	return r
}

type verdictRenderer struct {
	v     *verdictView
	bg    *canvas.Rectangle
	icon  *canvas.Image
	lines []fyne.CanvasObject
	size  fyne.Size
}

func (r *verdictRenderer) Destroy() {}

func (r *verdictRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 240) }

func (r *verdictRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg, r.icon}, r.lines...)
}

func (r *verdictRenderer) Refresh() {
	r.Layout(r.size)
	canvas.Refresh(r.v)
}

// Layout stacks icon, headline, name, detail, rule, action and footer in the
// middle of the screen, wrapping the longer sentences to its width.
func (r *verdictRenderer) Layout(size fyne.Size) {
	r.size = size
	t := r.v.text
	r.bg.FillColor = verdictColor(t.Kind)
	r.bg.Resize(size)
	r.bg.Refresh()
	r.icon.Resource = verdictIcon(t.Kind)
	r.icon.Refresh()

	h := size.Height
	width := size.Width * 0.88
	type block struct {
		text string
		size float32
		bold bool
	}
	blocks := []block{
		{t.Headline, h * 0.11, true},
		{t.Name, h * 0.08, true},
		{t.Detail, h * 0.048, false},
		{t.Rule, h * 0.034, false},
		{t.Action, h * 0.042, false},
		{t.Footer, h * 0.026, false},
	}
	var texts []*canvas.Text
	var gaps []float32
	for _, b := range blocks {
		if b.text == "" {
			continue
		}
		for i, line := range wrapText(b.text, b.size, width) {
			tx := canvas.NewText(line, color.White)
			tx.TextSize = b.size
			tx.TextStyle.Bold = b.bold
			tx.Alignment = fyne.TextAlignCenter
			texts = append(texts, tx)
			gap := b.size * 0.25
			if i == 0 {
				gap = b.size * 0.45
			}
			gaps = append(gaps, gap)
		}
	}
	iconSide := h * 0.2
	total := iconSide
	for i, tx := range texts {
		total += gaps[i] + tx.MinSize().Height
	}
	y := (size.Height - total) / 2
	if y < 0 {
		y = 0
	}
	r.icon.Move(fyne.NewPos((size.Width-iconSide)/2, y))
	r.icon.Resize(fyne.NewSquareSize(iconSide))
	y += iconSide
	r.lines = r.lines[:0]
	for i, tx := range texts {
		y += gaps[i]
		ms := tx.MinSize()
		tx.Move(fyne.NewPos(0, y))
		tx.Resize(fyne.NewSize(size.Width, ms.Height))
		y += ms.Height
		r.lines = append(r.lines, tx)
	}
}

func verdictColor(k verdictKind) color.Color {
	switch k {
	case kindAdmit:
		return colorAdmit
	case kindDuplicate:
		return colorDuplicate
	case kindNotRecorded:
		return colorNotRecorded
	}
	return colorDeny
}

// wrapText breaks s into lines no wider than width at the given text size,
// at spaces where it can and inside a word only when one word is too long.
func wrapText(s string, size, width float32) []string {
	fits := func(line string) bool {
		return fyne.MeasureText(line, size, fyne.TextStyle{}).Width <= width
	}
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			next := word
			if line != "" {
				next = line + " " + word
			}
			if fits(next) {
				line = next
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = word
			for !fits(line) && len([]rune(line)) > 1 {
				rs := []rune(line)
				cut := len(rs) - 1
				for cut > 1 && !fits(string(rs[:cut])) {
					cut--
				}
				lines = append(lines, string(rs[:cut]))
				line = string(rs[cut:])
			}
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// tookText is how long a scan took, as the verdict's footer says it: in
// milliseconds under a second (a check on the kiosk alone takes a few,
// which "0.00 s" hid), else in seconds.
func tookText(d time.Duration) string {
	if ms := d.Round(time.Millisecond); ms < time.Second {
		return fmt.Sprintf("%d ms", max(1, ms.Milliseconds()))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
