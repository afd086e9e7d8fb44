package storage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passdesk/app"
)

// TestMigrationBackfillsCounts takes a ledger back to schema version 1 and
// reopens it: migration 2 must rebuild the summary counts from the entries.
func TestMigrationBackfillsCounts(t *testing.T) {
	dir := t.TempDir()
	zone := time.FixedZone("KST", 9*3600)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, zone)
	opts := Options{Location: zone, PINMemoryKiB: 256, Now: func() time.Time { return day }}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		if _, err := l.Record(ctx, app.Entry{ID: fmt.Sprint(i), Time: day.Add(time.Duration(i) * 20 * time.Minute),
			Outcome: app.Admit, Method: app.Online, Reason: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := l.Summary(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()

	db, err := sql.Open("sqlite3", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TRIGGER entries_count_insert; DROP TRIGGER entries_count_delete;
		DROP TABLE entry_counts; DROP TABLE upload_cids; DROP TABLE presentation_keys; ALTER TABLE entries DROP COLUMN rule;
		DELETE FROM schema_version WHERE version >= 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	l, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got, err := l.Summary(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 30 || got.Hourly != want.Hourly {
		t.Errorf("after migrating: total %d hourly %v, want 30 %v", got.Total, got.Hourly, want.Hourly)
	}
	if err := l.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	l.r.QueryRow(`SELECT max(version) FROM schema_version`).Scan(&v)
	if latest := ms[len(ms)-1].version; v != latest {
		t.Errorf("schema version %d, want %d", v, latest)
	}
}

// TestSummaryOddZone covers the path for a zone whose day is not whole
// quarter hours, where the summary counts the entries themselves.
func TestSummaryOddZone(t *testing.T) {
	odd := time.FixedZone("odd", 10*60)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, odd)
	l, err := Open(t.TempDir(), Options{Location: odd, PINMemoryKiB: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for i, at := range []time.Time{day.Add(-time.Minute), day, day.Add(90 * time.Minute), day.Add(24*time.Hour - time.Nanosecond)} {
		if _, err := l.Record(ctx, app.Entry{ID: fmt.Sprint(i), Time: at, Outcome: app.Admit, Method: app.Offline, Reason: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := l.Summary(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 3 || s.Hourly[0] != 1 || s.Hourly[1] != 1 || s.Hourly[23] != 1 {
		t.Errorf("total %d hourly %v", s.Total, s.Hourly)
	}
}

// TestSubIsKeyedHash checks that the ledger keeps HMAC-SHA256(venue
// secret, sub) and never the sub.
func TestSubIsKeyedHash(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{PINMemoryKiB: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sub := []byte("0123456789abcdef")
	if _, err := l.Record(context.Background(), app.Entry{ID: "s", Outcome: app.Admit, Method: app.Online, Reason: "ok", Sub: sub}); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(dir, VenueKey))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write(sub)
	var got []byte
	if err := l.r.QueryRow(`SELECT sub_mac FROM entries WHERE id = 's'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, m.Sum(nil)) {
		t.Errorf("sub_mac = %x, want HMAC-SHA256(venue secret, sub)", got)
	}
}

// TestMigrationFillsGap opens a ledger that holds a later schema version
// without an earlier one (made by a build that had the later migration
// first): the missing one is applied, not skipped.
func TestMigrationFillsGap(t *testing.T) {
	dir := t.TempDir()
	opts := Options{PINMemoryKiB: 256}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	db, err := sql.Open("sqlite3", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DROP TABLE upload_cids; DELETE FROM schema_version WHERE version = 3`); err != nil {
		t.Fatal(err)
	}
	ro := opts
	ro.ReadOnly = true
	if l, err := Open(dir, ro); err == nil {
		l.Close()
		t.Error("a read-only open accepted a ledger missing migration 3")
	}
	l, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'upload_cids'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("upload_cids after reopening: %d tables, %v", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM schema_version WHERE version = 3`).Scan(&n); err != nil || n != 1 {
		t.Errorf("version 3 recorded %d times, %v", n, err)
	}
}
