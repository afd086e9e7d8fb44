package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs passd with args and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := dispatch(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, root, _ := run(t, "init", "--data", dir)
	if code != exitOK || len(strings.TrimSpace(root)) != 43 {
		t.Fatalf("init = %d %q", code, root)
	}
	code, again, _ := run(t, "init", "--data", dir)
	if code != exitOK || again != root {
		t.Errorf("init again = %d %q, want the same root key %q", code, again, root)
	}
	code, out, _ := run(t, "demo", "--data", dir, "--holders", "2")
	if code != exitOK || !strings.Contains(out, "holder-2") || !strings.Contains(out, "revoked") || !strings.Contains(out, "stale") {
		t.Errorf("demo = %d %q", code, out)
	}
	code, out, _ = run(t, "holder", "--data", dir, "--text", "-n", "3")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "PD1:") {
		t.Errorf("holder --text -n 3 = %d %q", code, out)
	}
	pngs := filepath.Join(t.TempDir(), "png")
	if code, _, errOut := run(t, "holder", "--data", dir, "--png", pngs, "-n", "2", "--label", "stale"); code != exitOK {
		t.Errorf("holder --png = %d %s", code, errOut)
	}
	if files, _ := os.ReadDir(pngs); len(files) != 2 {
		t.Errorf("holder --png wrote %d files, want 2", len(files))
	}
	cid := "00112233445566778899aabbccddeeff"
	if code, out, _ := run(t, "revoke", cid, "--data", dir); code != exitOK || !strings.Contains(out, "revoked") {
		t.Errorf("revoke = %d %q", code, out)
	}
	if code, out, _ := run(t, "revoke", "--data", dir, cid); code != exitOK || !strings.Contains(out, "already") {
		t.Errorf("revoke again = %d %q", code, out)
	}
	if code, out, _ := run(t, "rotate-issuer", "--data", dir); code != exitOK || !strings.Contains(out, "new issuer key") {
		t.Errorf("rotate-issuer = %d %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"help"}, exitOK},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"init", "--bogus"}, exitUsage},
		{[]string{"init", "-h"}, exitOK},
		{[]string{"revoke", "--data", dir, "xyz"}, exitUsage},
		{[]string{"revoke", "--data", dir}, exitUsage},
		{[]string{"revoke", "--data", dir, "00112233445566778899aabbccddeeff"}, exitFail},
		{[]string{"holder", "--data", dir}, exitUsage},
		{[]string{"holder", "--data", dir, "--text"}, exitFail},
		{[]string{"serve", "--data", dir, "--log-level", "loud"}, exitUsage},
		{[]string{"serve", "--data", dir}, exitFail},
		{[]string{"loadgen", "--mode", "sideways"}, exitUsage},
		{[]string{"loadgen", "--runs", "0"}, exitUsage},
	} {
		if code, _, errOut := run(t, tt.args...); code != tt.want {
			t.Errorf("passd %s = %d, want %d (%s)", strings.Join(tt.args, " "), code, tt.want, errOut)
		}
	}
	_, out, _ := run(t, "help")
	for _, c := range []string{"init", "serve", "revoke", "rotate-issuer", "demo", "holder", "loadgen"} {
		if !strings.Contains(out, c) {
			t.Errorf("help does not list %s", c)
		}
	}
}
