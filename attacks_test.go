package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/storage"
)

// The attacks of "the kiosk decides", run against the built passdesk
// binary (run --headless): a service that admits everything, plain http
// to another machine, re-encoded presentations (PD1 and HC1), and a clock
// behind the latest trusted time. Guessing PINs needs the keypad, which the headless
// kiosk has not: app's TestPINGuessingTakesMonths covers it.

// admitEverything is a service that answers admit to every verify call
// and serves the world's genuine lists.
func admitEverything(t *testing.T, w *apptest.World) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc(api.PathHealth, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc(api.PathTrustList, func(rw http.ResponseWriter, _ *http.Request) { rw.Write(w.TrustList) })
	mux.HandleFunc(api.PathRevocations, func(rw http.ResponseWriter, _ *http.Request) { rw.Write(w.Revocation) })
	mux.HandleFunc(api.PathVerify, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"verdict":"admit","reason":"ok","name":"anyone","status":1}`))
	})
	mux.HandleFunc(api.PathEntries, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"stored":0,"duplicate":0}`))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// runBinary feeds lines to `passdesk run --headless` and returns its
// verdict lines and its stderr.
func runBinary(t *testing.T, exe string, args []string, lines ...string) (code int, verdicts []scanLine, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"run", "--headless", "--camera", "stdin",
		"--config", filepath.Join(t.TempDir(), "none.toml"), "--venue", "cafe-42", "--kiosk", "door-1"}, args...)...)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var v scanLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		verdicts = append(verdicts, v)
	}
	return code, verdicts, errb.String()
}

func TestAttacksOnTheBinary(t *testing.T) {
	exe := buildPassdesk(t)
	w, err := apptest.NewWorld(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.NewHolder("홍*동", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a service admitting everything admits no forged QR", func(t *testing.T) {
		svc := admitEverything(t, w)
		forged, err := apptest.FlipByte(h.Present(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		code, got, stderr := runBinary(t, exe, []string{"--data", seedData(t, w), "--root", w.RootKey, "--server", svc.URL}, forged)
		if code != exitOK || len(got) != 2 {
			t.Fatalf("exit %d, %d lines: %s", code, len(got), stderr)
		}
		if got[0].Verdict != "deny" || got[0].Reason != "bad_holder_signature" {
			t.Errorf("forged QR: %+v", got[0])
		}
		if !got[1].Alert || got[1].Reason != "service_disagrees" {
			t.Errorf("alert line: %+v", got[1])
		}
		if !strings.Contains(stderr, string(app.EventServiceDisagrees)) {
			t.Errorf("no service_disagrees event on stderr:\n%s", stderr)
		}
	})
	t.Run("plain http to another machine is refused", func(t *testing.T) {
		code, _, stderr := runBinary(t, exe, []string{"--data", seedData(t, w), "--root", w.RootKey, "--server", "http://192.0.2.10:8787"})
		if code != exitUsage || !strings.Contains(stderr, "https://") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
	t.Run("re-encodings of one presentation are one", func(t *testing.T) {
		qr := h.Present(time.Now())
		untagged, err1 := apptest.Reencode(qr, true, nil)
		header, err2 := apptest.Reencode(qr, false, map[any]any{uint64(99): uint64(1)})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		_, got, stderr := runBinary(t, exe, []string{"--data", seedData(t, w), "--root", w.RootKey}, qr, untagged, header)
		want := []string{"admit", "duplicate", "duplicate"}
		if len(got) != len(want) {
			t.Fatalf("%d verdicts: %s", len(got), stderr)
		}
		for i, v := range got {
			if v.Verdict != want[i] {
				t.Errorf("scan %d: %s (%s), want %s", i, v.Verdict, v.Reason, want[i])
			}
		}
	})
	t.Run("re-encodings of one HC1 certificate are one", func(t *testing.T) {
		sg, err := apptest.NewHC1Signer(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c, err := sg.Vaccination("Musterfrau", "Gabriele", "URN:UVCI:01:AT:ATTACK#1", 2, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, e := range []apptest.HC1Encoding{{}, {Level: zlib.BestSpeed}, {Unprotected: map[any]any{uint64(99): uint64(1)}}, {Untagged: true, Level: zlib.HuffmanOnly}} {
			text, err := c.Text(e)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, text)
		}
		dir := t.TempDir()
		trust, config := filepath.Join(dir, "dsc.json"), filepath.Join(dir, "hc1.toml")
		if err := os.WriteFile(trust, sg.TrustFile(), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(config, []byte(fmt.Sprintf("dcc_trust = %q\ndcc_rules = \"off\"\n", trust)), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--config", config, "--data", seedData(t, w), "--root", w.RootKey}
		_, got, stderr := runBinary(t, exe, args, texts...)
		want := []string{"admit", "duplicate", "duplicate", "duplicate"}
		if len(got) != len(want) {
			t.Fatalf("%d verdicts: %s", len(got), stderr)
		}
		for i, v := range got {
			if v.Verdict != want[i] {
				t.Errorf("scan %d: %s (%s), want %s", i, v.Verdict, v.Reason, want[i])
			}
		}
		// Restarted on the same ledger, the kiosk still knows the
		// certificate by what was signed, in an encoding not seen before.
		unseen, err := c.Text(apptest.HC1Encoding{CWT: true, Level: zlib.BestSpeed, Unprotected: map[any]any{uint64(98): "x"}})
		if err != nil {
			t.Fatal(err)
		}
		_, got, stderr = runBinary(t, exe, args, unseen)
		if len(got) != 1 || got[0].Verdict != "duplicate" {
			t.Errorf("after a restart: %+v: %s", got, stderr)
		}
	})
	t.Run("a clock set back an hour lets no old screenshot through", func(t *testing.T) {
		data := seedData(t, w)
		// A scan an hour from now is in the ledger: the clock was right
		// then, and has been set back since.
		later := time.Now().Add(time.Hour)
		l, err := storage.Open(data, storage.Options{VenueID: "cafe-42", KioskID: "door-1", Now: func() time.Time { return later }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Record(context.Background(), app.Entry{ID: "earlier-run", Time: later, Outcome: app.Admit, Method: app.Offline, Reason: "ok", Scheme: "PD1"}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		screenshot := h.Present(time.Now()) // an hour old at the trusted time
		_, got, stderr := runBinary(t, exe, []string{"--data", data, "--root", w.RootKey}, screenshot)
		if len(got) != 1 || got[0].Verdict != "deny" || got[0].Reason != "qr_expired" {
			t.Errorf("verdicts %+v: %s", got, stderr)
		}
		if !strings.Contains(stderr, string(app.NoticeClockBehind)) {
			t.Errorf("no clock notice on stderr:\n%s", stderr)
		}
	})
}
