package storage

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"passdesk/app"
)

// TestDiskFull fills the ledger up to a page limit on its writing
// connection, the way a full disk stops it, and checks that the failure is
// ErrNotRecorded and that what was committed before is intact.
func TestDiskFull(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l, err := Open(t.TempDir(), Options{Now: func() time.Time { return now }, PINMemoryKiB: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	var pages int
	if err := l.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := l.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+4)); err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for i := 0; ; i++ {
		_, err := l.Record(ctx, app.Entry{ID: fmt.Sprintf("e%d", i), Time: now, Outcome: app.Admit,
			Method: app.Manual, VisitorName: "A", ManualReason: app.ReasonOther, Note: strings.Repeat("n", 900)})
		if err != nil {
			if !errors.Is(err, ErrNotRecorded) || !strings.Contains(err.Error(), "full") {
				t.Fatalf("error = %v, want ErrNotRecorded for a full database", err)
			}
			break
		}
		recorded++
		if i > 1000 {
			t.Fatal("the page limit never stopped a write")
		}
	}
	if recorded == 0 {
		t.Fatal("nothing fitted before the limit")
	}
	if _, total, err := l.List(ctx, app.Filter{}); err != nil || total != recorded {
		t.Fatalf("after the failure: %d entries (%v), want %d", total, err, recorded)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// FuzzCSVField checks that every field the CSV export writes reads back
// the same through encoding/csv, but for the quote that disarms formulas.
func FuzzCSVField(f *testing.F) {
	for _, s := range []string{"", "홍*동", "a,b", `say "hi"`, "line\nbreak", "=1+2", "-5", " lead", "@x", "\r", "\"", "tab\tin"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, '\r') {
			// encoding/csv drops \r in quoted fields and needs UTF-8.
			return
		}
		line := csvField([]byte("x"), []byte(s))
		recs, err := csv.NewReader(strings.NewReader(string(line) + "\n")).ReadAll()
		if err != nil || len(recs) != 1 || len(recs[0]) != 2 {
			t.Fatalf("field %q wrote %q: %v %q", s, line, err, recs)
		}
		got := recs[0][1]
		if len(s) > 0 && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
			if got != "'"+s {
				t.Fatalf("formula %q read back as %q", s, got)
			}
		} else if got != s {
			t.Fatalf("field %q read back as %q", s, got)
		}
	})
}
