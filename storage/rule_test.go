package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// ruleFailed is a rules_failed deny naming its rule.
func ruleFailed(i int, at time.Time) app.Entry {
	e := scan(i, at, app.Deny, app.Offline)
	e.Reason, e.Scheme, e.Issuer, e.Rule = "rules_failed", "HC1", "DE", "VR-EU-0001@1.0.1"
	return e
}

// TestLedgerRecordsRule checks that the rule a deny failed is kept, read
// back, exported and held in the chain.
func TestLedgerRecordsRule(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := testOptions(newClock(day0.Add(20 * time.Hour)))
	l := mustOpen(t, dir, opts)
	mustRecord(t, l, scan(1, day0.Add(9*time.Hour), app.Admit, app.Online))
	mustRecord(t, l, ruleFailed(2, day0.Add(10*time.Hour)))

	got, _, err := l.List(ctx, app.Filter{Day: day0})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]string{}
	for _, e := range got {
		rules[e.ID] = e.Rule
	}
	if rules["scan-000001"] != "" || rules["scan-000002"] != "VR-EU-0001@1.0.1" {
		t.Errorf("rules read back %v", rules)
	}
	pending, err := l.PendingUploads(ctx, 10)
	if err != nil || len(pending) != 2 || pending[1].Rule != "VR-EU-0001@1.0.1" {
		t.Errorf("pending uploads %+v, %v", pending, err)
	}

	var csv bytes.Buffer
	if err := l.Export(ctx, day0, "csv", &csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csv.String(), "\uFEFF")), "\r\n")
	if len(lines) != 3 {
		t.Fatalf("csv has %d lines:\n%s", len(lines), csv.String())
	}
	if !strings.HasSuffix(lines[0], ",uploaded,rule") {
		t.Errorf("csv header %q, want the rule column last", lines[0])
	}
	if !strings.HasSuffix(lines[1], ",false,") || !strings.HasSuffix(lines[2], ",false,VR-EU-0001@1.0.1") {
		t.Errorf("csv rows:\n%s\n%s", lines[1], lines[2])
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()

	t.Run("clearing a row's rule breaks the chain", func(t *testing.T) {
		if out, err := sqliteShell(t, filepath.Join(dir, storage.DBFile),
			`DROP TRIGGER entries_no_update; UPDATE entries SET rule = '' WHERE seq = 2`); err != nil {
			t.Fatalf("sqlite3: %v\n%s", err, out)
		}
		var ce *storage.ChainError
		if err := verifyDir(t, dir, opts); !errors.As(err, &ce) || ce.Seq != 2 || !strings.Contains(ce.Problem, "contents") {
			t.Errorf("Verify = %v, want row 2's contents changed", err)
		}
	})
}

// TestRuleMigrationKeepsOldChain takes a ledger back to schema version 3
// (no rule column) and reopens it: the old rows still verify, new rows
// with a rule chain onto them, and setting a rule on an old row is found.
func TestRuleMigrationKeepsOldChain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := testOptions(newClock(day0.Add(20 * time.Hour)))
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		mustRecord(t, l, scan(i, day0.Add(time.Duration(8+i)*time.Hour), app.Admit, app.Online))
	}
	l.Close()
	db, err := sql.Open("sqlite3", filepath.Join(dir, storage.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TABLE entries DROP COLUMN rule; DELETE FROM schema_version WHERE version >= 5`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	l, err = storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatalf("old rows after migrating: %v", err)
	}
	mustRecord(t, l, ruleFailed(4, day0.Add(13*time.Hour)))
	if err := l.Verify(ctx); err != nil {
		t.Fatalf("old and new rows: %v", err)
	}
	l.Close()
	if err := verifyDir(t, dir, opts); err != nil {
		t.Fatalf("read-only verify: %v", err)
	}

	if out, err := sqliteShell(t, filepath.Join(dir, storage.DBFile),
		`DROP TRIGGER entries_no_update; UPDATE entries SET rule = 'VR-EU-0002@1.0.0' WHERE seq = 1`); err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	var ce *storage.ChainError
	if err := verifyDir(t, dir, opts); !errors.As(err, &ce) || ce.Seq != 1 || !strings.Contains(ce.Problem, "contents") {
		t.Errorf("Verify = %v, want row 1's contents changed", err)
	}
}
