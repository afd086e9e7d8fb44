package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	des, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, de.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPurgeAtRetentionBoundary(t *testing.T) {
	c := newClock(day0)
	opts := testOptions(c)
	opts.Retention = 28 * 24 * time.Hour
	dir := t.TempDir()
	l := mustOpen(t, dir, opts)
	ctx := context.Background()

	now := day0.Add(30 * 24 * time.Hour)
	cutoff := now.Add(-opts.Retention)
	mustRecord(t, l, scan(1, cutoff.Add(-time.Hour), app.Admit, app.Online))
	mustRecord(t, l, manual(2, cutoff.Add(-time.Nanosecond), "010-1111-2222"))
	mustRecord(t, l, scan(3, cutoff, app.Admit, app.Online))
	mustRecord(t, l, scan(4, cutoff.Add(time.Nanosecond), app.Deny, app.Online))
	if err := l.MarkUploaded(ctx, []string{"scan-000001", "scan-000003"}, now); err != nil {
		t.Fatal(err)
	}

	n, err := l.Purge(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("purge = %d, %v; want 2 (the rows before the cutoff)", n, err)
	}
	es, total, err := l.List(ctx, app.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || es[1].ID != "scan-000003" || !es[1].Uploaded || es[0].ID != "scan-000004" {
		t.Fatalf("after purge: %d entries %+v", total, es)
	}
	if _, err := l.RevealPhone(ctx, "manual-000002"); err == nil {
		t.Error("a purged phone number is still there")
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatalf("verify after purge: %v", err)
	}
	if n, err := l.Purge(ctx, now); err != nil || n != 0 {
		t.Fatalf("second purge = %d, %v; want 0", n, err)
	}

	// Recording continues the chain from the anchor, through a purge of
	// everything, and across a reopen.
	mustRecord(t, l, scan(5, now, app.Admit, app.Online))
	if n, err := l.Purge(ctx, now.Add(60*24*time.Hour)); err != nil || n != 3 {
		t.Fatalf("purge of all = %d, %v; want 3", n, err)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatalf("verify after purging all: %v", err)
	}
	e := mustRecord(t, l, scan(6, now.Add(61*24*time.Hour), app.Admit, app.Online))
	if e.Seq != 6 {
		t.Errorf("seq after purging all = %d, want 6", e.Seq)
	}
	l.Close()
	l2 := mustOpen(t, dir, opts)
	mustRecord(t, l2, scan(7, now.Add(61*24*time.Hour), app.Admit, app.Online))
	if err := l2.Verify(ctx); err != nil {
		t.Fatalf("verify after reopen: %v", err)
	}
	s, _ := l2.Summary(ctx, now.Add(61*24*time.Hour))
	if s.Total != 2 {
		t.Errorf("summary total %d, want 2", s.Total)
	}
}

func TestPurgeKeepsChainPrefix(t *testing.T) {
	// An entry written with an earlier clock after a later one stays until
	// every row before it in the chain is old enough: the purge only ever
	// cuts a prefix, which is what keeps the chain verifiable.
	c := newClock(day0)
	l := mustOpen(t, t.TempDir(), testOptions(c))
	ctx := context.Background()
	mustRecord(t, l, scan(1, day0, app.Admit, app.Online))
	mustRecord(t, l, scan(2, day0.Add(10*24*time.Hour), app.Admit, app.Online))
	mustRecord(t, l, scan(3, day0.Add(time.Hour), app.Admit, app.Online))
	n, err := l.Purge(ctx, day0.Add(29*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purge = %d, %v; want 1", n, err)
	}
	if n, _ := l.Purge(ctx, day0.Add(39*24*time.Hour)); n != 2 {
		t.Fatalf("later purge = %d, want 2", n)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeLeavesNoContentInTheFile purges visitors and then reads the
// ledger's files byte by byte: neither the purged manual visitors' names
// nor the purged entry IDs may be left in free pages or the WAL.
func TestPurgeLeavesNoContentInTheFile(t *testing.T) {
	c := newClock(day0)
	opts := testOptions(c)
	dir := t.TempDir()
	l := mustOpen(t, dir, opts)
	ctx := context.Background()
	const purgedName, keptName = "Purged Visitor Qx", "Kept Visitor Zw"
	for i := 0; i < 400; i++ {
		e := manual(i, day0.Add(time.Duration(i)*time.Second), "010-1111-2222")
		e.ID = fmt.Sprintf("purged-entry-%04d", i)
		e.VisitorName = purgedName
		mustRecord(t, l, e)
	}
	later := day0.Add(20 * 24 * time.Hour)
	for i := 0; i < 20; i++ {
		e := manual(i, later.Add(time.Duration(i)*time.Second), "010-3333-4444")
		e.ID = fmt.Sprintf("kept-entry-%04d", i)
		e.VisitorName = keptName
		mustRecord(t, l, e)
	}
	if n, err := l.Purge(ctx, day0.Add(30*24*time.Hour)); err != nil || n != 400 {
		t.Fatalf("purge = %d, %v; want 400", n, err)
	}
	// Read the files while the ledger is still open, as a copy of a
	// running kiosk's directory would be, and again after it closes.
	check := func(when string, wantKept bool) {
		t.Helper()
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(filepath.Join(dir, storage.DBFile+suffix))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		for _, s := range []string{purgedName, "purged-entry-"} {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("%s: %q is still in the ledger's files", when, s)
			}
		}
		if wantKept && !bytes.Contains(all, []byte(keptName)) {
			t.Errorf("%s: the kept visitor's name is not in the files: the search cannot see names", when)
		}
	}
	check("after the purge", true)
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()
	check("after closing", true)
}
