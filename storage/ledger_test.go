package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

func TestRecordAndList(t *testing.T) {
	c := newClock(day0.Add(12 * time.Hour))
	l := mustOpen(t, t.TempDir(), testOptions(c))
	ctx := context.Background()

	a := mustRecord(t, l, scan(1, day0.Add(9*time.Hour), app.Admit, app.Online))
	b := mustRecord(t, l, scan(2, day0.Add(9*time.Hour+time.Minute), app.Deny, app.Offline))
	m := mustRecord(t, l, manual(3, day0.Add(10*time.Hour), "010-1234-5678"))
	if a.Seq != 1 || b.Seq != 2 || m.Seq != 3 {
		t.Fatalf("seqs = %d %d %d, want 1 2 3", a.Seq, b.Seq, m.Seq)
	}
	if got, want := m.PhoneMask, "010-****-5678"; got != want {
		t.Errorf("mask = %q, want %q", got, want)
	}

	es, total, err := l.List(ctx, app.Filter{Day: day0})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(es) != 3 {
		t.Fatalf("total %d, len %d, want 3", total, len(es))
	}
	if es[0].Seq != 3 || es[1].Seq != 2 || es[2].Seq != 1 {
		t.Errorf("listed seqs %d %d %d, want 3 2 1: newest first", es[0].Seq, es[1].Seq, es[2].Seq)
	}
	got := es[0]
	if got.Phone != "" || got.PhoneMask != "010-****-5678" || got.VisitorName != "김민수" || got.Reason != "manual" {
		t.Errorf("manual entry read back as %+v", got)
	}
	if es[2].Sub != nil {
		t.Errorf("Sub read back: %x", es[2].Sub)
	}
	if es[2].VenueID != "venue-1" || es[2].KioskID != "kiosk-1" || string(es[2].Name) != "홍*동" {
		t.Errorf("scan entry read back as %+v", es[2])
	}

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    app.Filter
			want int
		}{
			{"outcome", app.Filter{Day: day0, Outcome: app.Deny}, 1},
			{"method", app.Filter{Day: day0, Method: app.Manual}, 1},
			{"query visitor", app.Filter{Day: day0, Query: "민수"}, 1},
			{"query pass name", app.Filter{Day: day0, Query: "홍"}, 2},
			{"other day", app.Filter{Day: day0.AddDate(0, 0, 1)}, 0},
			{"paging", app.Filter{Day: day0, Offset: 1, Limit: 1}, 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				es, total, err := l.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if total != tc.want {
					t.Errorf("total = %d, want %d", total, tc.want)
				}
				if tc.f.Limit == 1 && (len(es) != 1 || es[0].Seq != 2) {
					t.Errorf("page = %+v, want the second entry only", es)
				}
			})
		}
	})

	t.Run("retry of the same ID", func(t *testing.T) {
		again, err := l.Record(ctx, scan(1, day0.Add(9*time.Hour), app.Admit, app.Online))
		if err != nil || again.Seq != 1 {
			t.Fatalf("retry: seq %d, err %v; want the stored entry", again.Seq, err)
		}
		_, err = l.Record(ctx, scan(1, day0.Add(11*time.Hour), app.Deny, app.Online))
		if !errors.Is(err, storage.ErrNotRecorded) {
			t.Fatalf("same ID, other contents: err = %v, want ErrNotRecorded", err)
		}
	})

	t.Run("bad entries", func(t *testing.T) {
		for name, e := range map[string]app.Entry{
			"no ID":           {Outcome: app.Admit, Method: app.Online},
			"bad outcome":     {ID: "x1", Outcome: "maybe", Method: app.Online},
			"bad method":      {ID: "x2", Outcome: app.Admit, Method: "telepathy"},
			"manual no name":  {ID: "x3", Outcome: app.Admit, Method: app.Manual, ManualReason: app.ReasonOther},
			"manual bad why":  {ID: "x4", Outcome: app.Admit, Method: app.Manual, VisitorName: "A", ManualReason: "bored"},
			"unknown correct": {ID: "x5", Outcome: app.Admit, Method: app.Online, Corrects: "nope"},
			"huge note":       {ID: "x6", Outcome: app.Admit, Method: app.Online, Note: strings.Repeat("a", 5000)},
			"year 1":          {ID: "x7", Outcome: app.Admit, Method: app.Online, Time: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
			"year 9999":       {ID: "x8", Outcome: app.Admit, Method: app.Online, Time: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			if _, err := l.Record(ctx, e); !errors.Is(err, storage.ErrNotRecorded) {
				t.Errorf("%s: err = %v, want ErrNotRecorded", name, err)
			}
		}
	})

	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCorrectionAndSummary(t *testing.T) {
	c := newClock(day0.Add(23 * time.Hour))
	l := mustOpen(t, t.TempDir(), testOptions(c))
	ctx := context.Background()

	mustRecord(t, l, scan(1, day0.Add(9*time.Hour+5*time.Minute), app.Admit, app.Online))
	mustRecord(t, l, scan(2, day0.Add(9*time.Hour+10*time.Minute), app.Admit, app.Offline))
	mustRecord(t, l, scan(3, day0.Add(13*time.Hour), app.Duplicate, app.Online))
	mustRecord(t, l, scan(4, day0.Add(13*time.Hour), app.Deny, app.Online))
	mustRecord(t, l, manual(5, day0.Add(12*time.Hour), "01099998888"))
	mustRecord(t, l, scan(6, day0.Add(-time.Minute), app.Admit, app.Online))    // previous day
	mustRecord(t, l, scan(7, day0.Add(24*time.Hour), app.Admit, app.Online))    // next day
	fix := scan(8, day0.Add(9*time.Hour+10*time.Minute), app.Deny, app.Offline) // the offline admit was revoked
	fix.Reason, fix.Corrects = "revoked", "scan-000002"
	mustRecord(t, l, fix)

	id, err := l.OpenOutage(ctx, day0.Add(-time.Hour), "deadline exceeded")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CloseOutage(ctx, id, day0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := l.CloseOutage(ctx, id, day0.Add(40*time.Minute)); err != nil {
		t.Errorf("closing twice: %v", err)
	}
	id2, _ := l.OpenOutage(ctx, day0.Add(20*time.Hour), "HTTP 503")
	if _, err := l.OpenOutage(ctx, day0.Add(-30*time.Hour), "long ago"); err != nil {
		t.Fatal(err)
	}
	if err := l.CloseOutage(ctx, 999, c.Now()); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("closing an unknown outage: %v, want ErrNotFound", err)
	}

	s, err := l.Summary(ctx, day0.Add(15*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.Day != "2026-11-25" || s.Total != 5 || s.Manual != 1 {
		t.Errorf("day %s total %d manual %d, want 2026-11-25 5 1", s.Day, s.Total, s.Manual)
	}
	if s.ByOutcome[app.Admit] != 2 || s.ByOutcome[app.Deny] != 2 || s.ByOutcome[app.Duplicate] != 1 {
		t.Errorf("by outcome %v", s.ByOutcome)
	}
	if s.ByMethod[app.Online] != 3 || s.ByMethod[app.Offline] != 1 || s.ByReason["revoked"] != 1 {
		t.Errorf("by method %v, by reason %v", s.ByMethod, s.ByReason)
	}
	if s.Hourly[9] != 1 || s.Hourly[12] != 1 || s.Hourly[13] != 0 {
		t.Errorf("hourly %v", s.Hourly)
	}
	if s.Unreadable != 0 {
		t.Errorf("unreadable %d, want 0", s.Unreadable)
	}

	t.Run("unreadable scans apart", func(t *testing.T) {
		// A photo of a receipt and an HC1-looking text of junk: nothing
		// was checked, so neither is "checked offline".
		for i, reason := range []string{"malformed", "unsupported_format"} {
			e := scan(20+i, day0.Add(14*time.Hour), app.Deny, app.Offline)
			e.Reason, e.Name, e.CID, e.Sub = reason, "", nil, nil
			mustRecord(t, l, e)
		}
		s, err := l.Summary(ctx, day0.Add(15*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if s.Unreadable != 2 || s.ByMethod[app.Offline] != 1 || s.ByMethod[app.Online] != 3 {
			t.Errorf("unreadable %d, by method %v; want 2 apart from offline 1, online 3", s.Unreadable, s.ByMethod)
		}
		if s.Total != 7 || s.ByOutcome[app.Deny] != 4 || s.ByReason["malformed"] != 1 {
			t.Errorf("total %d, by outcome %v, by reason %v", s.Total, s.ByOutcome, s.ByReason)
		}
	})
	// The long-ago outage is still open, so it overlaps too.
	if len(s.Outages) != 3 || s.Outages[1].ID != id || !s.Outages[1].End.Equal(day0.Add(30*time.Minute)) ||
		s.Outages[2].ID != id2 || !s.Outages[2].End.IsZero() {
		t.Errorf("outages %+v", s.Outages)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPhoneEncryption(t *testing.T) {
	dir := t.TempDir()
	c := newClock(day0)
	l := mustOpen(t, dir, testOptions(c))
	ctx := context.Background()
	const phone = "010-4321-8765"
	e := mustRecord(t, l, manual(1, day0, phone))
	got, err := l.RevealPhone(ctx, e.ID)
	if err != nil || got != phone {
		t.Fatalf("RevealPhone = %q, %v; want %q", got, err, phone)
	}
	if _, err := l.RevealPhone(ctx, "nope"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("unknown entry: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ledger.db", "ledger.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, plain := range []string{phone, "01043218765", "4321-8765", "\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x09\x01"} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("%s contains %q in plain text", name, plain)
			}
		}
	}
	for _, name := range []string{storage.PhoneKey, storage.VenueKey, storage.DBFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
	}

	// Reopened with the same key, the number is still readable.
	l2 := mustOpen(t, dir, testOptions(c))
	if got, err := l2.RevealPhone(ctx, e.ID); err != nil || got != phone {
		t.Fatalf("after reopening: %q, %v", got, err)
	}
	l2.Close()

	// A missing key next to an existing ledger is refused, not remade.
	os.Rename(filepath.Join(dir, storage.PhoneKey), filepath.Join(dir, "phone.key.bak"))
	if _, err := storage.Open(dir, testOptions(c)); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("open without phone.key: %v", err)
	}
}

func TestMaskPhone(t *testing.T) {
	c := newClock(day0)
	l := mustOpen(t, t.TempDir(), testOptions(c))
	for i, tc := range []struct{ in, want string }{
		{"010-1234-5678", "010-****-5678"},
		{"01012345678", "010-****-5678"},
		{"+82 10 1234 5678", "821-****-5678"},
		{"12345", "***45"},
		{"x", "****"},
	} {
		e := mustRecord(t, l, manual(i, day0, tc.in))
		if e.PhoneMask != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, e.PhoneMask, tc.want)
		}
	}
}

func TestUploads(t *testing.T) {
	c := newClock(day0)
	l := mustOpen(t, t.TempDir(), testOptions(c))
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		mustRecord(t, l, scan(i, day0.Add(time.Duration(i)*time.Minute), app.Admit, app.Offline))
	}
	p, err := l.PendingUploads(ctx, 3)
	if err != nil || len(p) != 3 || p[0].ID != "scan-000001" {
		t.Fatalf("pending = %v, %v", p, err)
	}
	if err := l.MarkUploaded(ctx, []string{"scan-000001", "scan-000002", "unknown"}, c.Now()); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkUploaded(ctx, []string{"scan-000001"}, c.Now()); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	p, _ = l.PendingUploads(ctx, 10)
	if len(p) != 3 || p[0].ID != "scan-000003" {
		t.Fatalf("pending after upload = %v", p)
	}
	es, _, _ := l.List(ctx, app.Filter{Day: day0})
	if !es[4].Uploaded || es[2].Uploaded {
		t.Errorf("uploaded flags: %v %v", es[4].Uploaded, es[2].Uploaded)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// A kiosk stopped (or killed) during an outage left it open: every review
// and report would call it ongoing from then on. The next run ends it at
// the last entry recorded during it, marked as the kiosk's stop.
func TestOutageLeftOpenByAStoppedKiosk(t *testing.T) {
	dir := t.TempDir()
	c := newClock(day0.Add(23 * time.Hour))
	ctx := context.Background()
	l := mustOpen(t, dir, testOptions(c))
	closed, _ := l.OpenOutage(ctx, day0.Add(8*time.Hour), "HTTP 503")
	if err := l.CloseOutage(ctx, closed, day0.Add(8*time.Hour+time.Minute)); err != nil {
		t.Fatal(err)
	}
	withEntries, _ := l.OpenOutage(ctx, day0.Add(9*time.Hour), "connection refused")
	for i, at := range []time.Duration{2 * time.Minute, 7 * time.Minute} {
		e := scan(i+1, day0.Add(9*time.Hour+at), app.Admit, app.Offline)
		e.OutageID = withEntries
		mustRecord(t, l, e)
	}
	mustRecord(t, l, scan(3, day0.Add(10*time.Hour), app.Admit, app.Online)) // not in the outage
	bare, _ := l.OpenOutage(ctx, day0.Add(11*time.Hour), "timeout")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l = mustOpen(t, dir, testOptions(c))
	if n, err := l.EndStoppedOutages(ctx, time.Time{}); err != nil || n != 2 {
		t.Fatalf("EndStoppedOutages = %d, %v; want 2 ended", n, err)
	}
	if n, err := l.EndStoppedOutages(ctx, time.Time{}); err != nil || n != 0 {
		t.Fatalf("again: %d, %v; want none", n, err)
	}
	s, err := l.Summary(ctx, day0.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]app.Outage{
		closed:      {End: day0.Add(8*time.Hour + time.Minute)},
		withEntries: {End: day0.Add(9*time.Hour + 7*time.Minute), Stopped: true},
		bare:        {End: day0.Add(11 * time.Hour), Stopped: true},
	}
	if len(s.Outages) != len(want) {
		t.Fatalf("outages %+v", s.Outages)
	}
	for _, o := range s.Outages {
		w := want[o.ID]
		if !o.End.Equal(w.End) || o.Stopped != w.Stopped {
			t.Errorf("outage %d (%s): end %v stopped %v, want %v %v", o.ID, o.Cause, o.End, o.Stopped, w.End, w.Stopped)
		}
	}
	if err := l.Verify(ctx); err != nil {
		t.Errorf("the chain after ending them: %v", err)
	}
}

// A kiosk that stops during an outage ends it at the time it stops, and
// never before an entry recorded during it.
func TestOutageUnderWayWhenTheKioskStops(t *testing.T) {
	c := newClock(day0.Add(23 * time.Hour))
	ctx := context.Background()
	l := mustOpen(t, t.TempDir(), testOptions(c))
	id, _ := l.OpenOutage(ctx, day0.Add(9*time.Hour), "connection refused")
	e := scan(1, day0.Add(9*time.Hour+7*time.Minute), app.Admit, app.Offline)
	e.OutageID = id
	mustRecord(t, l, e)
	if _, err := l.EndStoppedOutages(ctx, time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)); err == nil {
		t.Error("a stop in year 1 was taken")
	}
	if n, err := l.EndStoppedOutages(ctx, day0.Add(9*time.Hour+5*time.Minute)); err != nil || n != 1 {
		t.Fatalf("EndStoppedOutages = %d, %v; want 1 ended", n, err)
	}
	later, _ := l.OpenOutage(ctx, day0.Add(10*time.Hour), "timeout")
	if n, err := l.EndStoppedOutages(ctx, day0.Add(10*time.Hour+30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("EndStoppedOutages = %d, %v; want 1 ended", n, err)
	}
	s, err := l.Summary(ctx, day0.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{id: e.Time, later: day0.Add(10*time.Hour + 30*time.Minute)}
	if len(s.Outages) != 2 {
		t.Fatalf("outages %+v", s.Outages)
	}
	for _, o := range s.Outages {
		if !o.End.Equal(want[o.ID]) || !o.Stopped {
			t.Errorf("outage %d: end %v stopped %v, want %v stopped", o.ID, o.End, o.Stopped, want[o.ID])
		}
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
