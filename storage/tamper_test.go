package storage_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// sqliteShell runs statements through the sqlite3 command-line shell, the
// way someone with the file in hand would edit it. make test installs it.
func sqliteShell(t *testing.T, db, statements string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("the sqlite3 shell is not installed (make test installs it): tampering tests skipped")
	}
	out, err := exec.Command(path, db, statements).CombinedOutput()
	return string(out), err
}

// filledLedger makes a closed ledger with five entries, two outage events
// and some audit rows, and returns its directory.
func filledLedger(t *testing.T) (string, storage.Options) {
	t.Helper()
	dir := t.TempDir()
	c := newClock(day0.Add(20 * time.Hour))
	opts := testOptions(c)
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 1; i <= 4; i++ {
		mustRecord(t, l, scan(i, day0.Add(time.Duration(8+i)*time.Hour), app.Admit, app.Online))
	}
	mustRecord(t, l, manual(5, day0.Add(15*time.Hour), "010-5555-6666"))
	id, err := l.OpenOutage(ctx, day0.Add(11*time.Hour), "timeout")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CloseOutage(ctx, id, day0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := l.Audit(ctx, "manager", "settings", "mode=offline-first"); err != nil {
		t.Fatal(err)
	}
	if err := l.Audit(ctx, "manager", "export", "2026-11-25 csv"); err != nil {
		t.Fatal(err)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, opts
}

func verifyDir(t *testing.T, dir string, opts storage.Options) error {
	t.Helper()
	opts.ReadOnly = true
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Verify(context.Background())
}

func TestTamperingIsFound(t *testing.T) {
	const unlock = `DROP TRIGGER entries_no_update; DROP TRIGGER entries_purge_only;
		DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
		DROP TRIGGER outage_events_no_update; DROP TRIGGER outage_events_no_delete;
		DROP TRIGGER anchors_no_update; `
	for _, tc := range []struct {
		name    string
		sql     string
		table   string
		seq     int64
		problem string
	}{
		{"edit an outcome", `UPDATE entries SET outcome = 'deny' WHERE seq = 3`, "entries", 3, "contents"},
		{"edit a time", `UPDATE entries SET at = at + 1 WHERE seq = 2`, "entries", 2, "contents"},
		{"edit a visitor name", `UPDATE entries SET visitor_name = '박영희' WHERE seq = 5`, "entries", 5, "contents"},
		{"swap phone ciphertexts", `UPDATE entries SET phone_enc = (SELECT cid FROM entries WHERE seq = 1) WHERE seq = 5`, "entries", 5, "contents"},
		{"delete a row", `DELETE FROM entries WHERE seq = 3`, "entries", 4, "row 3 before it is missing"},
		{"delete two rows", `DELETE FROM entries WHERE seq IN (2, 3)`, "entries", 4, "rows 2 to 3"},
		{"delete the first row", `DELETE FROM entries WHERE seq = 1`, "entries", 2, "row 1 before it is missing"},
		{"delete the last row", `DELETE FROM entries WHERE seq = 5`, "entries", 5, "last row is missing"},
		{"delete every row", `DELETE FROM entries`, "entries", 1, "rows 1 to 5 at the end"},
		{"swap two rows", `UPDATE entries SET seq = -2 WHERE seq = 2; UPDATE entries SET seq = 2 WHERE seq = 3;
			UPDATE entries SET seq = 3 WHERE seq = -2`, "entries", 2, "prev_hash"},
		{"swap two rows' contents", `CREATE TEMP TABLE s AS SELECT * FROM entries WHERE seq IN (2, 3);
			UPDATE entries SET id = 'tmp' WHERE seq = 2;
			UPDATE entries SET (id, at, outcome, prev_hash, hash) = (SELECT id, at, outcome, prev_hash, hash FROM s WHERE seq = 2) WHERE seq = 3;
			UPDATE entries SET (id, at, outcome, prev_hash, hash) = (SELECT id, at, outcome, prev_hash, hash FROM s WHERE seq = 3) WHERE seq = 2`,
			"entries", 2, "prev_hash"},
		{"insert a forged row", `INSERT INTO entries (seq, id, at, venue_id, kiosk_id, outcome, method, reason, scheme,
			issuer, status, name, cid, sub_mac, visitor_name, phone_enc, manual_reason, staff, note, outage_id, corrects,
			prev_hash, hash) SELECT 6, 'forged', at, venue_id, kiosk_id, outcome, method, reason, scheme,
			issuer, status, name, cid, sub_mac, visitor_name, phone_enc, manual_reason, staff, note, outage_id, corrects,
			hash, hash FROM entries WHERE seq = 5`, "entries", 6, "contents"},
		{"cut the tail and rewind the sequence", `DELETE FROM entries WHERE seq = 5;
			UPDATE sqlite_sequence SET seq = 4 WHERE name = 'entries'`, "entries", 5, "last row is missing"},
		{"cut the tail and its head record", `DELETE FROM entries WHERE seq = 5;
			UPDATE sqlite_sequence SET seq = 4 WHERE name = 'entries'; DELETE FROM meta WHERE key = 'head:entries'`,
			"entries", 4, "record of the last row written is missing"},
		{"edit a summary count", `UPDATE entry_counts SET n = n + 7 WHERE method = 'manual'`, "entry_counts", 0, "the ledger holds 1"},
		{"delete a summary count", `DELETE FROM entry_counts WHERE method = 'manual'`, "entry_counts", 0, "counts 0"},
		{"edit an outage end", `UPDATE outage_events SET at = at + 3600000000000 WHERE kind = 'end'`, "outage_events", 2, "contents"},
		{"delete an audit row", `DELETE FROM audit WHERE seq = 1`, "audit", 2, "missing"},
		{"edit an audit row", `UPDATE audit SET detail = 'nothing' WHERE seq = 2`, "audit", 2, "contents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, opts := filledLedger(t)
			db := filepath.Join(dir, storage.DBFile)
			if out, err := sqliteShell(t, db, unlock+tc.sql); err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, out)
			}
			err := verifyDir(t, dir, opts)
			var ce *storage.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("Verify = %v, want a ChainError", err)
			}
			if ce.Table != tc.table || ce.Seq != tc.seq || !strings.Contains(ce.Problem, tc.problem) {
				t.Errorf("Verify = %q, want table %s row %d: ...%s...", ce, tc.table, tc.seq, tc.problem)
			}
		})
	}
}

func TestTriggersRefuseEdits(t *testing.T) {
	dir, _ := filledLedger(t)
	db := filepath.Join(dir, storage.DBFile)
	for _, stmt := range []string{
		`UPDATE entries SET outcome = 'deny' WHERE seq = 1`,
		`DELETE FROM entries WHERE seq = 1`,
		`UPDATE audit SET actor = 'x'`,
		`DELETE FROM outage_events`,
	} {
		out, err := sqliteShell(t, db, stmt)
		if err == nil {
			t.Errorf("%s: allowed (%s)", stmt, out)
		}
	}
}

func TestTamperedAnchorIsFound(t *testing.T) {
	dir := t.TempDir()
	c := newClock(day0)
	opts := testOptions(c)
	l := mustOpen(t, dir, opts)
	for i := 1; i <= 4; i++ {
		mustRecord(t, l, scan(i, day0.Add(time.Duration(i)*time.Hour), app.Admit, app.Online))
	}
	// Retention ends between entries 2 and 3.
	n, err := l.Purge(context.Background(), day0.Add(28*24*time.Hour+150*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("purge = %d, %v; want 2", n, err)
	}
	l.Close()
	if err := verifyDir(t, dir, opts); err != nil {
		t.Fatalf("after purge: %v", err)
	}
	db := filepath.Join(dir, storage.DBFile)
	for _, tc := range []struct{ name, sql, want string }{
		{"move the anchor", `DROP TRIGGER anchors_no_update; UPDATE anchors SET seq = 1`, "anchor"},
		{"delete the anchor", `DELETE FROM anchors`, "rows 1 to 2 before it are missing"},
		{"forge a later anchor", `INSERT INTO anchors (tbl, seq, hash, at, mac) SELECT tbl, 3, (SELECT hash FROM entries WHERE seq = 3), at, mac FROM anchors`, "anchor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := t.TempDir()
			copyDir(t, dir, cp)
			if out, err := sqliteShell(t, filepath.Join(cp, storage.DBFile), tc.sql); err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, out)
			}
			err := verifyDir(t, cp, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify = %v, want ...%s...", err, tc.want)
			}
		})
	}
	_ = db
}

func TestRecordingGoesOnAfterTampering(t *testing.T) {
	dir, opts := filledLedger(t)
	db := filepath.Join(dir, storage.DBFile)
	if out, err := sqliteShell(t, db, `DROP TRIGGER entries_purge_only; DELETE FROM entries WHERE seq = 5`); err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	l := mustOpen(t, dir, opts)
	e, err := l.Record(context.Background(), scan(6, day0.Add(16*time.Hour), app.Admit, app.Online))
	if err != nil || e.Seq != 6 {
		t.Fatalf("Record after tampering: seq %d, %v", e.Seq, err)
	}
	if n := l.Notices(); len(n) != 1 || !strings.Contains(n[0], "row 5 is missing") {
		t.Errorf("notices %q", n)
	}
	var ce *storage.ChainError
	if err := l.Verify(context.Background()); !errors.As(err, &ce) || ce.Seq != 6 {
		t.Errorf("Verify = %v, want row 6 named (row 5 before it is missing)", err)
	}
}
