package storage

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"passdesk/app"
	"passdesk/assets"
)

// reportFont is the family name the PDF report registers NanumSquare under.
const reportFont = "nanum"

// Labels in the report, Korean then English, so an inspector of either
// language can read it.
var manualReasonLabel = map[app.ManualReason]string{
	app.ReasonOutage:           "서비스 장애 (service outage)",
	app.ReasonNoPhone:          "휴대전화 없음 (no phone)",
	app.ReasonMedicalExemption: "의학적 예외 (medical exemption)",
	app.ReasonMinor:            "미성년자 (minor)",
	app.ReasonOther:            "기타 (other)",
}

// exportPDF writes the day's printable report: totals, an hourly bar chart
// of admitted visitors, the outages and the manual entries.
func (l *Ledger) exportPDF(ctx context.Context, day time.Time, w io.Writer) error {
	s, err := l.Summary(ctx, day)
	if err != nil {
		return err
	}
	manual, err := l.manualEntries(ctx, day)
	if err != nil {
		return err
	}
	unrecorded, err := l.UnrecordedPeriods(ctx, day)
	if err != nil {
		return err
	}
	r := newReport(l.now().In(l.opts.Location))
	r.title(s.Day, l.opts.VenueID, l.opts.KioskID)
	r.totals(s)
	r.hourly(s.Hourly)
	r.outages(s.Outages, l.opts.Location)
	r.unrecorded(unrecorded)
	r.manual(manual)
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("storage: PDF report: %w", err)
	}
	return nil
}

// report lays out the PDF on A4 portrait in millimetres.
type report struct {
	pdf   *fpdf.Fpdf
	width float64 // usable width between the margins
}

const margin = 15.0

func newReport(now time.Time) *report {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddUTF8FontFromBytes(reportFont, "", assets.NanumSquareR)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetCreator("PassDesk", true)
	pdf.SetTitle("PassDesk daily ledger report", true)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont(reportFont, "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 5, fmt.Sprintf("PassDesk · %d / {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	w, _ := pdf.GetPageSize()
	return &report{pdf: pdf, width: w - 2*margin}
}

func (r *report) title(day, venue, kiosk string) {
	p := r.pdf
	p.SetFont(reportFont, "", 18)
	p.CellFormat(0, 10, "방문 기록 일일 보고서 · Daily ledger report", "", 1, "L", false, 0, "")
	p.SetFont(reportFont, "", 11)
	line := day
	if venue != "" {
		line += " · 장소 venue " + venue
	}
	if kiosk != "" {
		line += " · 키오스크 kiosk " + kiosk
	}
	p.CellFormat(0, 7, line, "", 1, "L", false, 0, "")
	p.Ln(3)
}

func (r *report) heading(s string) {
	p := r.pdf
	_, pageH := p.GetPageSize()
	if p.GetY() > pageH-margin-30 {
		p.AddPage()
	}
	p.Ln(2)
	p.SetFont(reportFont, "", 13)
	p.CellFormat(0, 8, s, "B", 1, "L", false, 0, "")
	p.Ln(2)
	p.SetFont(reportFont, "", 10)
}

func (r *report) totals(s app.DaySummary) {
	r.heading("합계 · Totals")
	p := r.pdf
	rows := [][2]string{
		{"전체 기록 · All entries", strconv.Itoa(s.Total)},
		{"입장 · Admitted", strconv.Itoa(s.ByOutcome[app.Admit])},
		{"거부 · Denied", strconv.Itoa(s.ByOutcome[app.Deny])},
		{"중복 · Duplicate", strconv.Itoa(s.ByOutcome[app.Duplicate])},
		{"온라인 확인 · Online", strconv.Itoa(s.ByMethod[app.Online])},
		{"오프라인 확인 · Offline", strconv.Itoa(s.ByMethod[app.Offline])},
		{"읽을 수 없는 코드 · Unreadable", strconv.Itoa(s.Unreadable)},
		{"수기 기록 · Manual", strconv.Itoa(s.Manual)},
	}
	for _, row := range rows {
		p.CellFormat(70, 6, row[0], "", 0, "L", false, 0, "")
		p.CellFormat(25, 6, row[1], "", 1, "R", false, 0, "")
	}
	if len(s.ByReason) == 0 {
		return
	}
	p.Ln(2)
	p.CellFormat(0, 6, "사유별 · By reason", "", 1, "L", false, 0, "")
	reasons := make([]string, 0, len(s.ByReason))
	for k := range s.ByReason {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		p.CellFormat(110, 6, "   "+reasonLabel(k), "", 0, "L", false, 0, "")
		p.CellFormat(25, 6, strconv.Itoa(s.ByReason[k]), "", 1, "R", false, 0, "")
	}
}

// hourly draws the admitted visitors per hour as 24 bars.
func (r *report) hourly(h [24]int) {
	r.heading("시간대별 입장 · Admitted per hour")
	p := r.pdf
	const chartH, labelH = 45.0, 5.0
	_, pageH := p.GetPageSize()
	if p.GetY()+chartH+2*labelH > pageH-margin {
		p.AddPage()
	}
	top := p.GetY() + labelH
	peak := 0
	for _, n := range h {
		peak = max(peak, n)
	}
	slot := r.width / 24
	bar := slot * 0.7
	base := top + chartH
	p.SetDrawColor(120, 120, 120)
	p.Line(margin, base, margin+r.width, base)
	p.SetFillColor(40, 110, 180)
	p.SetFont(reportFont, "", 7)
	for i, n := range h {
		x := margin + float64(i)*slot + (slot-bar)/2
		if n > 0 {
			bh := chartH * float64(n) / float64(peak)
			p.Rect(x, base-bh, bar, bh, "F")
			p.SetXY(margin+float64(i)*slot, base-bh-labelH)
			p.CellFormat(slot, labelH, strconv.Itoa(n), "", 0, "C", false, 0, "")
		}
		p.SetXY(margin+float64(i)*slot, base+0.5)
		p.CellFormat(slot, labelH, strconv.Itoa(i), "", 0, "C", false, 0, "")
	}
	p.SetXY(margin, base+labelH+2)
	p.SetFont(reportFont, "", 10)
}

func (r *report) outages(list []app.Outage, loc *time.Location) {
	r.heading("서비스 장애 · Outages")
	p := r.pdf
	if len(list) == 0 {
		p.CellFormat(0, 6, "없음 · None", "", 1, "L", false, 0, "")
		return
	}
	widths := []float64{45, 45, r.width - 90}
	r.row(widths, []string{"시작 · Start", "종료 · End", "원인 · Cause"}, true)
	for _, o := range list {
		end := "진행 중 · ongoing"
		if !o.End.IsZero() {
			end = o.End.In(loc).Format("2006-01-02 15:04:05")
		}
		if o.Stopped {
			end += " (키오스크 종료 · kiosk stopped)"
		}
		r.row(widths, []string{o.Start.In(loc).Format("2006-01-02 15:04:05"), end, o.Cause}, false)
	}
}

// unrecorded lists the periods without records (a full disk), when any.
func (r *report) unrecorded(list []UnrecordedPeriod) {
	if len(list) == 0 {
		return
	}
	r.heading("기록 불가 기간 · Periods without records")
	widths := []float64{45, 45, r.width - 90}
	r.row(widths, []string{"시작 · Start", "종료 · End", "기록되지 않음 · Not recorded"}, true)
	for _, u := range list {
		what := u.Detail
		if _, rest, ok := strings.Cut(u.Detail, ": "); ok {
			what = rest
		}
		r.row(widths, []string{u.Start.Format("2006-01-02 15:04:05"), u.End.Format("2006-01-02 15:04:05"), what}, false)
	}
}

func (r *report) manual(es []app.Entry) {
	r.heading(fmt.Sprintf("수기 기록 · Manual entries (%d)", len(es)))
	p := r.pdf
	if len(es) == 0 {
		p.CellFormat(0, 6, "없음 · None", "", 1, "L", false, 0, "")
		return
	}
	widths := []float64{16, 30, 28, 42, 24, r.width - 140}
	head := []string{"시간 Time", "방문자 Visitor", "전화 Phone", "사유 Reason", "직원 Staff", "메모 Note"}
	r.row(widths, head, true)
	_, pageH := p.GetPageSize()
	for _, e := range es {
		if p.GetY()+6 > pageH-margin {
			p.AddPage()
			r.row(widths, head, true)
		}
		reason := manualReasonLabel[e.ManualReason]
		if reason == "" {
			reason = string(e.ManualReason)
		}
		note := e.Note
		if e.Corrects != "" {
			note = "정정 corrects " + e.Corrects + " " + note
		}
		r.row(widths, []string{e.Time.Format("15:04:05"), e.VisitorName, e.PhoneMask, reason, e.Staff, note}, false)
	}
}

// row draws one table row, cutting each text to its cell.
func (r *report) row(widths []float64, cells []string, header bool) {
	p := r.pdf
	p.SetFont(reportFont, "", 9)
	if header {
		p.SetFillColor(230, 230, 230)
	}
	for i, c := range cells {
		p.CellFormat(widths[i], 6, r.fit(c, widths[i]-2), "1", 0, "L", header, 0, "")
	}
	p.Ln(-1)
}

// fit shortens s with an ellipsis until it fits width millimetres.
func (r *report) fit(s string, width float64) string {
	if r.pdf.GetStringWidth(s) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 {
		rs = rs[:len(rs)-1]
		t := string(rs) + "…"
		if r.pdf.GetStringWidth(t) <= width {
			return t
		}
	}
	return ""
}
