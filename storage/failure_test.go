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

func TestCorruptFileIsMovedAside(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("this is not a ledger\n", 300)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"damaged pages", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) < 3*4096 {
				t.Fatalf("ledger file too small to damage: %d bytes", len(b))
			}
			// Keep the 100-byte header, scribble over the rest of page 1
			// (the schema) and over the pages after it.
			for i := 100; i < len(b); i++ {
				b[i] = byte(i*7 + 3)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := newClock(day0)
			opts := testOptions(c)
			l := mustOpen(t, dir, opts)
			for i := 0; i < 50; i++ {
				mustRecord(t, l, manual(i, day0, "010-1234-5678"))
			}
			l.Close()
			path := filepath.Join(dir, storage.DBFile)
			tc.damage(t, path)
			damaged, _ := os.ReadFile(path)

			ro := opts
			ro.ReadOnly = true
			if _, err := storage.Open(dir, ro); !errors.Is(err, storage.ErrCorrupt) {
				t.Fatalf("read-only open of a damaged file: %v, want ErrCorrupt", err)
			}

			l2 := mustOpen(t, dir, opts)
			notes := l2.Notices()
			if len(notes) != 1 || !strings.Contains(notes[0], "moved aside") || !strings.Contains(notes[0], "new ledger") {
				t.Fatalf("notices = %q", notes)
			}
			moved, _ := filepath.Glob(filepath.Join(dir, "ledger.db.corrupt-*Z"))
			if len(moved) != 1 || !strings.Contains(notes[0], moved[0]) {
				t.Fatalf("moved files %v, notice %q", moved, notes[0])
			}
			kept, err := os.ReadFile(moved[0])
			if err != nil || !bytes.Equal(kept, damaged) {
				t.Errorf("the damaged file was changed when moved aside (err %v)", err)
			}
			// The new ledger works.
			if e := mustRecord(t, l2, scan(1, day0, app.Admit, app.Online)); e.Seq != 1 {
				t.Errorf("first entry of the new ledger has seq %d", e.Seq)
			}
			if err := l2.Verify(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReadOnlyLedgerRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	c := newClock(day0)
	opts := testOptions(c)
	l := mustOpen(t, dir, opts)
	mustRecord(t, l, scan(1, day0, app.Admit, app.Online))
	l.Close()

	// Also make the file read-only; as root that alone would not stop a
	// write, which is why the ledger opens in query-only mode as well.
	path := filepath.Join(dir, storage.DBFile)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(path, 0o600)
	opts.ReadOnly = true
	ro := mustOpen(t, dir, opts)
	ctx := context.Background()
	_, err := ro.Record(ctx, scan(2, day0, app.Admit, app.Online))
	if !errors.Is(err, storage.ErrNotRecorded) {
		t.Fatalf("Record on a read-only ledger: %v, want ErrNotRecorded", err)
	}
	if _, err := ro.OpenOutage(ctx, day0, "x"); !errors.Is(err, storage.ErrNotRecorded) {
		t.Errorf("OpenOutage: %v", err)
	}
	if err := ro.MarkUploaded(ctx, []string{"scan-000001"}, day0); !errors.Is(err, storage.ErrNotRecorded) {
		t.Errorf("MarkUploaded: %v", err)
	}
	if _, err := ro.Purge(ctx, day0.AddDate(1, 0, 0)); !errors.Is(err, storage.ErrNotRecorded) {
		t.Errorf("Purge: %v", err)
	}
	// Reading still works.
	if s, err := ro.Summary(ctx, day0); err != nil || s.Total != 1 {
		t.Errorf("Summary = %+v, %v", s, err)
	}
	if err := ro.Verify(ctx); err != nil {
		t.Error(err)
	}
}

func TestMissingLedgerReadOnly(t *testing.T) {
	opts := testOptions(newClock(day0))
	opts.ReadOnly = true
	if _, err := storage.Open(t.TempDir(), opts); err == nil {
		t.Fatal("read-only open of an empty directory succeeded")
	}
	if _, err := storage.Open("", opts); err == nil {
		t.Fatal("open with no directory succeeded")
	}
	t.Run("cut-short first start", func(t *testing.T) {
		// An empty ledger.db with no keys, as a kill right after its
		// creation leaves it: nothing to read, and nothing made.
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, storage.DBFile), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := storage.Open(dir, opts)
		if err == nil || !strings.Contains(err.Error(), "start the kiosk once") {
			t.Fatalf("read-only open = %v, want a no-ledger-yet error", err)
		}
		if _, err := os.Stat(filepath.Join(dir, storage.VenueKey)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a read-only open made %s: %v", storage.VenueKey, err)
		}
	})
}

func TestPINs(t *testing.T) {
	dir := t.TempDir()
	c := newClock(day0.Add(9 * time.Hour))
	opts := testOptions(c)
	l := mustOpen(t, dir, opts)
	ctx := context.Background()

	if ok, err := l.HasManager(ctx); err != nil || ok {
		t.Fatalf("fresh ledger HasManager = %v, %v", ok, err)
	}
	boss, err := l.AddPerson(ctx, "김관리", app.Manager, "4321")
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := l.AddPerson(ctx, "이직원", app.Staff, "123456")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := l.HasManager(ctx); !ok {
		t.Error("HasManager false after adding one")
	}
	for name, add := range map[string]func() error{
		"PIN in use":   func() error { _, err := l.AddPerson(ctx, "박", app.Staff, "4321"); return err },
		"short PIN":    func() error { _, err := l.AddPerson(ctx, "박", app.Staff, "12"); return err },
		"letters":      func() error { _, err := l.AddPerson(ctx, "박", app.Staff, "12ab"); return err },
		"no name":      func() error { _, err := l.AddPerson(ctx, " ", app.Staff, "5555"); return err },
		"bad role":     func() error { _, err := l.AddPerson(ctx, "박", "owner", "5555"); return err },
		"set in use":   func() error { return l.SetPIN(ctx, clerk.ID, "4321") },
		"set unknown":  func() error { return l.SetPIN(ctx, 99, "5555") },
		"last manager": func() error { return l.Deactivate(ctx, boss.ID) },
	} {
		if err := add(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := l.AddPerson(ctx, "박", app.Staff, "4321"); !errors.Is(err, storage.ErrPINInUse) {
		t.Errorf("PIN in use: %v", err)
	}

	p, err := l.SignIn(ctx, "4321")
	if err != nil || p.ID != boss.ID || p.Role != app.Manager {
		t.Fatalf("SignIn = %+v, %v", p, err)
	}

	{ // the PIN guard's counts survive a restart
		if _, err := l.SignIn(ctx, "0000"); !errors.Is(err, app.ErrBadPIN) {
			t.Fatalf("wrong PIN: %v, want ErrBadPIN", err)
		}
		last := c.Now()
		if err := l.SavePINFailures(ctx, app.PromptManager, app.PINFailures{Count: 7, Last: last}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		l = mustOpen(t, dir, opts)
		m, err := l.LoadPINFailures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := m[app.PromptManager]; got.Count != 7 || !got.Last.Equal(last) {
			t.Errorf("after reopening: %+v", got)
		}
		if _, ok := m[app.PromptManual]; ok {
			t.Error("the manual prompt has a count it never had")
		}
	}

	if err := l.SetPIN(ctx, clerk.ID, "778899"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SignIn(ctx, "123456"); !errors.Is(err, app.ErrBadPIN) {
		t.Errorf("old PIN after SetPIN: %v", err)
	}
	if err := l.Deactivate(ctx, clerk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SignIn(ctx, "778899"); !errors.Is(err, app.ErrBadPIN) {
		t.Errorf("deactivated person signed in: %v", err)
	}
	// A deactivated person's PIN may be given to someone new.
	if _, err := l.AddPerson(ctx, "최신입", app.Staff, "778899"); err != nil {
		t.Errorf("reusing a deactivated PIN: %v", err)
	}
	people, err := l.ListPeople(ctx)
	if err != nil || len(people) != 3 || people[1].Active {
		t.Errorf("ListPeople = %+v, %v", people, err)
	}
	if err := l.Audit(ctx, "김관리", "settings", "language=ko"); err != nil {
		t.Fatal(err)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
