package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/app/listfile"
)

// seedData makes a data directory holding the world's signed lists, as a
// kiosk that synced them before would have.
func seedData(t *testing.T, w *apptest.World) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := listfile.Open(filepath.Join(dir, "lists"))
	if err != nil {
		t.Fatal(err)
	}
	s.Save(app.TrustListKind, app.ListDoc{Doc: w.TrustList})
	s.Save(app.RevocationsKind, app.ListDoc{Doc: w.Revocation})
	return dir
}

func TestRunHeadlessOffline(t *testing.T) {
	w, err := apptest.NewWorld(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.NewHolder("홍*동", false)
	if err != nil {
		t.Fatal(err)
	}
	revoked, _ := w.NewHolder("김*수", true)
	data := seedData(t, w)
	qr := h.Present(time.Now())
	in := strings.Join([]string{qr, qr + "\r", "not a pass", revoked.Present(time.Now())}, "\n") + "\n"
	var out, errb bytes.Buffer
	code := dispatch([]string{"run", "--headless", "--camera", "stdin", "--data", data, "--root", w.RootKey,
		"--config", filepath.Join(t.TempDir(), "none.toml"), "--venue", "v1", "--kiosk", "k1"},
		strings.NewReader(in), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s\nstderr:\n%s", len(lines), out.String(), errb.String())
	}
	want := []struct{ verdict, reason string }{
		{"admit", "ok"}, {"duplicate", "duplicate"}, {"deny", "unsupported_format"}, {"deny", "revoked"},
	}
	for i, l := range lines {
		var got scanLine
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		if got.Verdict != want[i].verdict || got.Reason != want[i].reason || !got.Recorded || got.Method != "offline" || got.EntryID == "" {
			t.Errorf("line %d: %s", i, l)
		}
	}
	if !strings.HasPrefix(lines[0], `{"time":`) || !strings.Contains(lines[0], `"name":"홍*동"`) {
		t.Errorf("first line %s", lines[0])
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--headless", "--bogus"},
		{"run", "--headless", "--mode", "sometimes", "--config", filepath.Join(t.TempDir(), "x.toml"), "--data", t.TempDir()},
		{"run", "--headless", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(args, strings.NewReader(""), &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestDoctor(t *testing.T) {
	w, err := apptest.NewWorld(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data := seedData(t, w)
	cfg := filepath.Join(t.TempDir(), "config.toml")
	var out, errb bytes.Buffer
	code := dispatch([]string{"doctor", "--config", cfg, "--data", data, "--root", w.RootKey, "--camera", "none"}, nil, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"trust list", "seq 2", "writable", "no server_url"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	code = dispatch([]string{"doctor", "--config", cfg, "--data", t.TempDir(), "--camera", "none", "--server", "http://127.0.0.1:1"}, nil, &out, &errb)
	if code != exitFail {
		t.Errorf("exit %d, want %d:\n%s", code, exitFail, out.String())
	}
	for _, want := range []string{"FAIL  roots", "FAIL  service"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunHeadlessBadCredentialRunsOffline: a credential file others can
// read is a setting to fix, said at start; the kiosk still verifies.
func TestRunHeadlessBadCredentialRunsOffline(t *testing.T) {
	w, err := apptest.NewWorld(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := w.NewHolder("홍*동", false)
	cred := filepath.Join(t.TempDir(), "kiosk.token")
	os.WriteFile(cred, []byte("pdk_0123456789abcdef0123456789abcdef\n"), 0o644)
	os.Chmod(cred, 0o644)
	var out, errb bytes.Buffer
	code := dispatch([]string{"run", "--headless", "--camera", "stdin", "--data", seedData(t, w), "--root", w.RootKey,
		"--config", filepath.Join(t.TempDir(), "none.toml"), "--venue", "v1", "--kiosk", "k1",
		"--server", "https://127.0.0.1:1", "--credential-file", cred},
		strings.NewReader(h.Present(time.Now())+"\n"), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"verdict":"admit"`) || !strings.Contains(out.String(), `"method":"offline"`) {
		t.Errorf("stdout %s", out.String())
	}
	if !strings.Contains(errb.String(), string(app.NoticeServiceConfig)) {
		t.Errorf("no notice on stderr: %s", errb.String())
	}
}
