//go:build linux

package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// smallDisk mounts a 4 MiB tmpfs on a temporary directory, or skips the
// test where mounting is not allowed (it needs root).
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4m,mode=0700"); err != nil {
		t.Skipf("a full disk needs a small tmpfs, and mounting one failed (%v): run as root", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill takes every free block of the file system holding dir, and returns
// the filler's name: removing it brings the space back.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return name
		}
	}
}

// TestSignInOnAFullDisk fills the real file system under a ledger: entries are not
// recorded and counted, yet staff sign in
// and their audit rows and PIN failure counts wait in memory; once space is
// back the queued rows and one event for the period without records are in
// the chained audit trail, and the failure counts survive a restart.
func TestSignInOnAFullDisk(t *testing.T) {
	dir := filepath.Join(smallDisk(t), "ledger")
	c := newClock(day0.Add(12 * time.Hour))
	opts := testOptions(c)
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	ctx := context.Background()
	if _, err := l.AddPerson(ctx, "Kim Manager", app.Manager, "2468"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddPerson(ctx, "Lee Staff", app.Staff, "1357"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, l, scan(1, c.Now(), app.Admit, app.Online))

	filler := fill(t, dir)
	fullSince := c.Now()
	for i := 2; i <= 4; i++ {
		c.Add(10 * time.Second)
		_, err := l.Record(ctx, scan(i, c.Now(), app.Admit, app.Offline))
		if !errors.Is(err, storage.ErrNotRecorded) || !strings.Contains(err.Error(), "full") {
			t.Fatalf("record on a full disk: %v, want ErrNotRecorded (full)", err)
		}
	}
	u := l.Unrecorded()
	if !u.Since.Equal(fullSince.Add(10*time.Second)) || u.Entries != 3 {
		t.Fatalf("unrecorded = %+v, want since the first refusal with 3 entries", u)
	}

	t.Run("sign in without a write", func(t *testing.T) {
		p, err := l.SignIn(ctx, "1357")
		if err != nil || p.Name != "Lee Staff" || p.Role != app.Staff {
			t.Fatalf("sign in on a full disk = %+v, %v", p, err)
		}
		if err := l.Audit(ctx, p.Name, "sign_in", string(p.Role)); err != nil {
			t.Fatalf("audit on a full disk = %v, want it kept for later", err)
		}
		if got := l.Unrecorded().Queued; got != 1 {
			t.Errorf("queued audit rows = %d, want 1", got)
		}
	})
	failedAt := c.Now()
	t.Run("PIN failures kept", func(t *testing.T) {
		// The engine's PIN guard counts failures; on a full disk their
		// count waits in memory and is written once space is back.
		err := l.SavePINFailures(ctx, app.PromptManager, app.PINFailures{Count: 6, Last: failedAt})
		if err != nil {
			t.Fatalf("saving PIN failures on a full disk = %v, want them kept for later", err)
		}
	})
	if u := l.Unrecorded(); u.Entries != 3 || u.Writes != 3 {
		t.Errorf("unrecorded = %+v: sign-ins and kept audit rows are not lost writes", u)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	spaceBack := c.Now()
	mustRecord(t, l, scan(5, c.Now(), app.Admit, app.Offline))
	if u := l.Unrecorded(); !u.Since.IsZero() || u.Queued != 0 {
		t.Errorf("after space came back: %+v", u)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	rows := auditRows(t, dir)
	if len(rows) < 2 {
		t.Fatalf("audit trail %v, want the queued sign-in and the period", rows)
	}
	signIn, period := rows[len(rows)-2], rows[len(rows)-1]
	if signIn.action != "sign_in" || signIn.actor != "Lee Staff" || !signIn.at.Equal(fullSince.Add(30*time.Second)) {
		t.Errorf("queued row written as %+v, want Lee's sign-in at its own time", signIn)
	}
	if period.action != storage.ActionNotRecorded || !period.at.Equal(spaceBack) ||
		!strings.Contains(period.detail, "3 entries") || !strings.Contains(period.detail, "12:00:10+09:00") {
		t.Errorf("period event %+v", period)
	}

	l, err = storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := l.LoadPINFailures(ctx)
	if got := pins[app.PromptManager]; err != nil || got.Count != 6 || !got.Last.Equal(failedAt) {
		t.Errorf("PIN failures after a restart = %+v, %v; want the count from the full-disk time", got, err)
	}
	t.Run("in the day's report", func(t *testing.T) {
		ps, err := l.UnrecordedPeriods(ctx, day0)
		if err != nil || len(ps) != 1 {
			t.Fatalf("periods without records = %+v, %v; want 1", ps, err)
		}
		if !ps[0].Start.Equal(fullSince.Add(10*time.Second)) || !ps[0].End.Equal(spaceBack) {
			t.Errorf("period %s to %s, want %s to %s", ps[0].Start, ps[0].End, fullSince.Add(10*time.Second), spaceBack)
		}
		if ps, _ := l.UnrecordedPeriods(ctx, day0.AddDate(0, 0, 1)); len(ps) != 0 {
			t.Errorf("the next day has periods %+v", ps)
		}
		var buf bytes.Buffer
		if err := l.Export(ctx, day0, "pdf", &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(pdfText(t, buf.Bytes()), utf16be("기록 불가 기간")) {
			t.Error("the PDF report does not show the period without records")
		}
	})
}

type auditRow struct {
	at                    time.Time
	actor, action, detail string
}

// auditRows reads the audit trail straight from the file.
func auditRows(t *testing.T, dir string) []auditRow {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, storage.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT at, actor, action, detail FROM audit ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []auditRow
	for rs.Next() {
		var r auditRow
		var at int64
		if err := rs.Scan(&at, &r.actor, &r.action, &r.detail); err != nil {
			t.Fatal(err)
		}
		r.at = time.Unix(0, at)
		out = append(out, r)
	}
	return out
}

// TestRestartOnAFullDisk restarts a kiosk whose disk filled up while it was
// off: opening needs a little space, which the ledger's reserve gives back,
// so staff can still sign in.
func TestRestartOnAFullDisk(t *testing.T) {
	dir := filepath.Join(smallDisk(t), "ledger")
	c := newClock(day0.Add(12 * time.Hour))
	opts := testOptions(c)
	ctx := context.Background()
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddPerson(ctx, "Kim Manager", app.Manager, "2468"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, l, scan(1, c.Now(), app.Admit, app.Online))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, storage.ReserveFile)); err != nil || st.Size() == 0 {
		t.Fatalf("no reserve next to the ledger: %v", err)
	}
	filler := fill(t, dir)

	l, err = storage.Open(dir, opts)
	if err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	if n := l.Notices(); len(n) != 1 || !strings.Contains(n[0], "disk is full") {
		t.Errorf("notices = %q, want one saying the disk is full", n)
	}
	if p, err := l.SignIn(ctx, "2468"); err != nil || p.Role != app.Manager {
		t.Fatalf("sign in after a restart on a full disk: %+v, %v", p, err)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()

	t.Run("without a reserve", func(t *testing.T) {
		// The reserve is gone now (the disk stayed full): the error must
		// say what is wrong.
		if _, err := os.Stat(filepath.Join(dir, storage.ReserveFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the reserve came back on a full disk: %v", err)
		}
		fill(t, dir) // again: the filler takes what the reserve gave back
		_, err := storage.Open(dir, opts)
		if err == nil || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("open on a full disk without a reserve = %v, want a no-space error", err)
		}
	})

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	l = mustOpen(t, dir, opts)
	if _, err := os.Stat(filepath.Join(dir, storage.ReserveFile)); err != nil {
		t.Errorf("the reserve is not made again once there is room: %v", err)
	}
	mustRecord(t, l, scan(2, c.Now(), app.Admit, app.Online))
}
