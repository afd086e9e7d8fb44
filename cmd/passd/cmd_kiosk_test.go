package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passdesk/api"
)

func TestKioskCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := run(t, "init", "--data", dir); code != exitOK {
		t.Fatalf("init: %s", errOut)
	}
	out := filepath.Join(t.TempDir(), "kiosk.token")
	code, token, errOut := run(t, "kiosk", "add", "--data", dir, "--venue", "서울 카페", "--kiosk", "door-1", "--out", out)
	token = strings.TrimSpace(token)
	if code != exitOK || !strings.HasPrefix(token, api.TokenPrefix) || len(token) != len(api.TokenPrefix)+43 {
		t.Fatalf("kiosk add = %d %q %s", code, token, errOut)
	}
	if b, err := os.ReadFile(out); err != nil || strings.TrimSpace(string(b)) != token {
		t.Errorf("--out file = %q, %v", b, err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("--out file mode %v, want 0600", fi.Mode().Perm())
	}
	code, list, _ := run(t, "kiosk", "list", "--data", dir)
	fields := strings.Split(strings.TrimSpace(list), "\t")
	if code != exitOK || len(fields) != 5 || fields[1] != "서울 카페" || fields[4] != "valid" || strings.Contains(list, token) {
		t.Fatalf("kiosk list = %d %q", code, list)
	}
	if code, out, _ := run(t, "kiosk", "revoke", fields[0], "--data", dir); code != exitOK || !strings.Contains(out, "revoked") {
		t.Errorf("kiosk revoke = %d %q", code, out)
	}
	if _, list, _ := run(t, "kiosk", "list", "--data", dir); !strings.Contains(list, "revoked 20") {
		t.Errorf("kiosk list after revoke = %q", list)
	}
	if code, op, _ := run(t, "operator", "add", "--data", dir, "--name", "enrolment desk"); code != exitOK || !strings.HasPrefix(op, api.OperatorTokenPrefix) {
		t.Errorf("operator add = %d %q", code, op)
	}
	for _, args := range [][]string{
		{"kiosk"}, {"kiosk", "add", "--data", dir, "--venue", "v"}, {"kiosk", "revoke", "--data", dir},
		{"kiosk", "add", "--data", dir, "--venue", " v", "--kiosk", "k"}, {"operator", "add", "--data", dir},
	} {
		if code, _, _ := run(t, args...); code != exitUsage {
			t.Errorf("passd %s = %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
	if code, _, _ := run(t, "kiosk", "revoke", "--data", dir, "0123456789abcdef"); code != exitFail {
		t.Errorf("revoking an unknown credential = %d, want %d", code, exitFail)
	}
}
