package storage_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"passdesk/app"
)

func TestExportCSV(t *testing.T) {
	c := newClock(day0.Add(20 * time.Hour))
	l := mustOpen(t, t.TempDir(), testOptions(c))
	mustRecord(t, l, scan(1, day0.Add(9*time.Hour), app.Admit, app.Online))
	mustRecord(t, l, scan(2, day0.Add(-time.Hour), app.Admit, app.Online)) // the day before
	m := manual(3, day0.Add(10*time.Hour), "010-1234-5678")
	m.Note = "=HYPERLINK(\"x\")"
	mustRecord(t, l, m)
	var buf bytes.Buffer
	if err := l.Export(context.Background(), day0, "csv", &buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 byte order mark: % x", b[:3])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want header + 2", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if got := recs[1][col["name"]]; got != "홍*동" {
		t.Errorf("name = %q", got)
	}
	row := recs[2]
	if row[col["visitor_name"]] != "김민수" || row[col["phone"]] != "010-****-5678" || row[col["method"]] != "manual" ||
		row[col["manual_reason"]] != "service_outage" || row[col["time"]] != "2026-11-25T10:00:00+09:00" {
		t.Errorf("manual row %q", row)
	}
	if got := row[col["note"]]; got != "'=HYPERLINK(\"x\")" {
		t.Errorf("a formula note was written as %q", got)
	}
	if strings.Contains(string(b), "1234-5678") {
		t.Error("the whole phone number is in the export")
	}
	if err := l.Export(context.Background(), day0, "xlsx", io.Discard); err == nil {
		t.Error("unknown format accepted")
	}
}

// pdfText inflates a PDF's streams, where the font's ToUnicode map and the
// page contents live.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var all strings.Builder
	re := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	for _, m := range re.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		all.Write(b)
	}
	return all.String()
}

func TestExportPDF(t *testing.T) {
	c := newClock(day0.Add(20 * time.Hour))
	l := mustOpen(t, t.TempDir(), testOptions(c))
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		mustRecord(t, l, scan(i, day0.Add(time.Duration(8*60+i*17)*time.Minute), app.Admit, app.Online))
	}
	for i := 100; i < 160; i++ { // enough manual entries for a second page
		mustRecord(t, l, manual(i, day0.Add(time.Duration(11*60+i)*time.Minute), "010-1234-5678"))
	}
	id, _ := l.OpenOutage(ctx, day0.Add(11*time.Hour), "HTTP 503")
	l.CloseOutage(ctx, id, day0.Add(12*time.Hour))
	var buf bytes.Buffer
	if err := l.Export(ctx, day0, "pdf", &buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatal("not a complete PDF")
	}
	if m := regexp.MustCompile(`/Count (\d+)`).FindSubmatch(b); m == nil || string(m[1]) == "1" {
		t.Errorf("60 manual entries should take more than one page (%s)", m)
	}
	text := pdfText(t, b)
	// fpdf writes UTF-8 fonts' text as UTF-16BE code points in the page
	// contents, shown with the embedded NanumSquare subset.
	for _, want := range []string{"김민수", "합계", "수기 기록", "서비스 장애"} {
		if !strings.Contains(text, utf16be(want)) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	if !bytes.Contains(b, []byte("/FontFile2")) || !bytes.Contains(b, []byte("/BaseFont /utf8nanum")) {
		t.Error("the NanumSquare font is not embedded")
	}
}

func utf16be(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}
