package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
	"passdesk/internal/faultproxy"
	"passdesk/pass"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunHeadlessAgainstPassd runs `passdesk run --headless` against the
// real passd behind the fault proxy: online, then an outage (offline
// verdicts within the deadline), recovery, and at stdin's end every entry
// in the central register once.
func TestRunHeadlessAgainstPassd(t *testing.T) {
	srv, err := server.New(server.Config{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	proxy, err := faultproxy.New(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	present := func() string {
		pub, key, _ := ed25519.GenerateKey(rand.Reader)
		iss, err := srv.Authority().Enroll(context.Background(), authority.Enrollment{Name: "홍길동", Status: pass.Vaccinated, HolderKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		text, _ := pass.Present(iss.Credential, key, time.Now().Unix())
		return text
	}

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var errb syncBuffer
	token, err := srv.AddKiosk(context.Background(), "v1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(t.TempDir(), "kiosk.token")
	if err := os.WriteFile(credFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.ServerURL, cfg.Roots, cfg.VenueID, cfg.KioskID = proxy.URL(), []string{srv.RootKey()}, "v1", "k1"
	cfg.CredentialFile = credFile
	// The ledger on tmpfs where there is one: the test times the link, and
	// the shared disk's fsync alone can take hundreds of milliseconds.
	dataDir, err := os.MkdirTemp("/dev/shm", "passdesk-kiosk-")
	if err != nil {
		dataDir = t.TempDir()
	} else {
		t.Cleanup(func() { os.RemoveAll(dataDir) })
	}
	cfg.Deadline, cfg.Camera, cfg.DataDir = 300*time.Millisecond, cameraStdin, dataDir
	done := make(chan int)
	go func() {
		done <- runHeadless(context.Background(), cfg, inR, outW, &errb)
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	scan := func(wantMethod string) scanLine {
		t.Helper()
		io.WriteString(inW, present()+"\n")
		if !lines.Scan() {
			t.Fatalf("no output; stderr:\n%s", errb.String())
		}
		var l scanLine
		if err := json.Unmarshal(lines.Bytes(), &l); err != nil {
			t.Fatalf("%v: %s", err, lines.Text())
		}
		if l.Verdict != "admit" || l.Method != wantMethod || !l.Recorded {
			t.Errorf("got %s, want an admit %s", lines.Text(), wantMethod)
		}
		if l.LatencyMS > 350 {
			t.Errorf("latency %.1f ms over the deadline plus 50 ms", l.LatencyMS)
		}
		return l
	}
	waitErr := func(what string) {
		t.Helper()
		end := time.Now().Add(10 * time.Second)
		for !strings.Contains(errb.String(), what) {
			if time.Now().After(end) {
				t.Fatalf("no %s event; stderr:\n%s", what, errb.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// The first sync brings the lists; until then nothing verifies offline.
	waitErr(`"detail":"revocations"`)
	scan("online")
	proxy.Set(faultproxy.Rule{Fault: faultproxy.Status, Code: 503})
	for range 3 {
		scan("offline")
	}
	waitErr(`"event":"outage_start","detail":"http 503"`)
	proxy.Set(faultproxy.Rule{})
	waitErr(`"event":"outage_end"`)
	scan("online")
	inW.Close()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), `"event":"drained","pending":0`) {
		t.Errorf("not drained:\n%s", errb.String())
	}
	n, err := srv.Authority().Store().CountEntries(context.Background(), "v1", "k1")
	if err != nil || n != 5 {
		t.Errorf("register holds %d entries (%v), want 5", n, err)
	}

	// The doctor finds all well: the ledger, the lists the kiosk kept,
	// the service and its clock.
	var out bytes.Buffer
	code := dispatch([]string{"doctor", "--config", cfg.DataDir + "/none.toml", "--data", cfg.DataDir, "--root", srv.RootKey(),
		"--server", ts.URL, "--camera", "none", "--venue", "v1", "--kiosk", "k1", "--credential-file", credFile}, nil, &out, &errb)
	if code != exitOK {
		t.Errorf("doctor: exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{"ok    ledger      opens, hash chain verifies", "ok    service", "ok    clock", "ok    revocation"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor report lacks %q:\n%s", want, out.String())
		}
	}
}
