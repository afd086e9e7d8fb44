package main

import (
	"strings"
	"testing"

	"passdesk/internal/pgtest"
)

// The commands work on a shared PostgreSQL database: the first one to
// open it gives it the issuer keys passd init recorded.
func TestCommandsOnPostgres(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase()
	dir := t.TempDir() + "/data"
	if code, _, errOut := run(t, "init", "--data", dir); code != exitOK {
		t.Fatalf("init: %s", errOut)
	}
	if code, out, errOut := run(t, "demo", "--data", dir, "--db", db, "--holders", "1"); code != exitOK || !strings.Contains(out, "holder-1") {
		t.Fatalf("demo --db = %d %q %s", code, out, errOut)
	}
	if code, tok, errOut := run(t, "kiosk", "add", "--data", dir, "--db", db, "--venue", "v", "--kiosk", "k"); code != exitOK || tok == "" {
		t.Fatalf("kiosk add --db = %d %s", code, errOut)
	}
	if _, list, _ := run(t, "kiosk", "list", "--data", dir, "--db", db); !strings.Contains(list, "v\tk") {
		t.Errorf("kiosk list --db = %q", list)
	}
	if _, list, _ := run(t, "kiosk", "list", "--data", dir); strings.Contains(list, "v\tk") {
		t.Errorf("the SQLite file holds the credential made on PostgreSQL: %q", list)
	}
	code, out, _ := run(t, "demo", "--data", dir, "--db", db)
	cid := strings.Fields(strings.Split(out, "\n")[0])[len(strings.Fields(strings.Split(out, "\n")[0]))-1]
	if code != exitOK || len(cid) != 32 {
		t.Fatalf("demo again = %d %q", code, out)
	}
	if code, out, errOut := run(t, "reissue", "--data", dir, "--db", db, "--status", "3", cid); code != exitOK || len(strings.Fields(out)) != 2 {
		t.Errorf("reissue --db = %d %q %s", code, out, errOut)
	}
	if code, out, _ := run(t, "revoke", "--data", dir, "--db", db, cid); code != exitOK || !strings.Contains(out, "already") {
		t.Errorf("revoke after reissue = %d %q, want already revoked", code, out)
	}
	if code, _, errOut := run(t, "kiosk", "list", "--data", dir, "--db", "postgres://nobody@/nothing?host=/nonexistent"); code != exitFail || errOut == "" {
		t.Errorf("unreachable --db = %d %q", code, errOut)
	}
}
