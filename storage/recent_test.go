package storage_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/storage"
)

func TestRecentAdmissions(t *testing.T) {
	now := day0.Add(12 * time.Hour)
	dir := t.TempDir()
	l := mustOpen(t, dir, testOptions(newClock(now)))
	ctx := context.Background()
	mustRecord(t, l, scan(1, now.Add(-time.Minute), app.Admit, app.Online))       // too old
	mustRecord(t, l, scan(2, now.Add(-20*time.Second), app.Admit, app.Online))    // at the edge
	mustRecord(t, l, scan(3, now.Add(-10*time.Second), app.Deny, app.Offline))    // denied
	mustRecord(t, l, scan(4, now.Add(-9*time.Second), app.Duplicate, app.Online)) // a duplicate
	mustRecord(t, l, manual(5, now.Add(-8*time.Second), ""))                      // no presentation
	mustRecord(t, l, scan(6, now.Add(-5*time.Second), app.Admit, app.Offline))
	revoked := scan(7, now.Add(-4*time.Second), app.Admit, app.Offline)
	mustRecord(t, l, revoked)
	fix := scan(8, now.Add(-2*time.Second), app.Deny, app.Online)
	fix.Reason, fix.Corrects = "revoked", revoked.ID
	mustRecord(t, l, fix)
	l.Close()

	// As after a restart: the memory comes from the file.
	l = mustOpen(t, dir, testOptions(newClock(now)))
	es, err := l.RecentAdmissions(ctx, now.Add(-20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.ID)
	}
	want := []string{"scan-000002", "scan-000006"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("recent admissions = %v, want %v", got, want)
	}
	if e := es[1]; !e.Time.Equal(now.Add(-5*time.Second)) || e.Method != app.Offline {
		t.Errorf("entry read back as %+v", e)
	}
	if es, err := l.RecentAdmissions(ctx, now.Add(time.Second)); err != nil || len(es) != 0 {
		t.Errorf("admissions after now = %v, %v; want none", es, err)
	}
}

// TestDuplicateAfterRestart scans a pass, restarts the engine on the same
// ledger file and scans it again: the visitor is already checked in.
func TestDuplicateAfterRestart(t *testing.T) {
	now := day0.Add(12 * time.Hour)
	w, err := apptest.NewWorld(now)
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.NewHolder("홍*동", false)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock(now)
	dir := t.TempDir()
	engine := func(l *storage.Ledger) *app.Engine {
		lists := &apptest.Lists{}
		lists.Save(app.TrustListKind, app.ListDoc{Doc: w.TrustList})
		lists.Save(app.RevocationsKind, app.ListDoc{Doc: w.Revocation})
		cfg := app.DefaultConfig()
		cfg.Roots = []string{w.RootKey}
		e, err := app.New(cfg, app.Deps{Ledger: l, Records: l, People: l, Lists: lists, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	text := h.Present(now)
	ctx := context.Background()

	l := mustOpen(t, dir, testOptions(c))
	e := engine(l)
	if r := e.Scan(ctx, text); r.Entry.Outcome != app.Admit || !r.Recorded {
		t.Fatalf("first scan: %+v, %v", r.Entry, r.Err)
	}
	e.Close()
	l.Close()

	c.Add(5 * time.Second)
	l = mustOpen(t, dir, testOptions(c))
	e = engine(l)
	defer e.Close()
	if r := e.Scan(ctx, text); r.Entry.Outcome != app.Duplicate || r.Verdict.Admit {
		t.Fatalf("after a restart: %q (%s), want duplicate", r.Entry.Outcome, r.Entry.Reason)
	}
	// Another presentation of the same holder is a new visit, not a duplicate.
	if r := e.Scan(ctx, h.Present(c.Now())); r.Entry.Outcome != app.Admit {
		t.Errorf("a fresh presentation after a restart: %q, want admit", r.Entry.Outcome)
	}
}
