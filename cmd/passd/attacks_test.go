package main

// The attacks of "only the right parties write, a one-time code is used
// once", run against a built passd serve binary as an attacker would with
// curl. Each got in before kiosk credentials; each must now fail.

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"passdesk/api"
)

func TestAttacksAgainstBinary(t *testing.T) {
	bin := buildPassd(t)
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil { // attack 6: a directory that already exists
		t.Fatal(err)
	}
	passd := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append(args, "--data", data)...).Output()
		if err != nil {
			t.Fatalf("passd %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	passd("init")
	passd("demo", "--holders", "1")
	door1 := passd("kiosk", "add", "--venue", "cafe-42", "--kiosk", "door-1")
	door2 := passd("kiosk", "add", "--venue", "cafe-42", "--kiosk", "door-2")
	other := passd("kiosk", "add", "--venue", "hall-9", "--kiosk", "gate")
	// The retired allow-list is no defence and no hole.
	os.WriteFile(filepath.Join(data, "kiosks.txt"), []byte("cafe-42 door-1\n"), 0o600)

	_, url, _ := startServe(t, bin, nil, "--data", data)

	post := func(path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	manual := `{"venue_id":"cafe-42","kiosk_id":"door-1","entries":[{"id":"s1","time":1764072000,"outcome":"admit","method":"manual","reason":"ok","manual_reason":"no_phone"}]}`

	t.Run("1 forged entry without a credential", func(t *testing.T) {
		if code, body := post(api.PathEntries, "", manual); code != 401 || !strings.Contains(body, api.ReasonUnauthorized) {
			t.Errorf("= %d %s, want 401 unauthorized", code, body)
		}
	})
	t.Run("2 entry ID taken over with other content", func(t *testing.T) {
		if code, body := post(api.PathEntries, door1, manual); code != 200 {
			t.Fatalf("kiosk's own upload = %d %s", code, body)
		}
		lie := strings.Replace(manual, `"outcome":"admit"`, `"outcome":"deny"`, 1)
		if code, body := post(api.PathEntries, door1, lie); code != 409 || !strings.Contains(body, api.ReasonConflict) {
			t.Errorf("= %d %s, want 409 conflict", code, body)
		}
	})
	t.Run("3 anonymous enrollment", func(t *testing.T) {
		body := `{"name":"Mallory","birth_year":1990,"status":1,"holder_public_key":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`
		if code, b := post(api.PathEnroll, "", body); code != 401 {
			t.Errorf("= %d %s, want 401", code, b)
		}
		if code, b := post(api.PathEnroll, door1, body); code != 403 {
			t.Errorf("with a kiosk credential = %d %s, want 403", code, b)
		}
	})
	t.Run("4 identity point as holder key", func(t *testing.T) {
		op := passd("operator", "add", "--name", "desk")
		// R = B, S = 1 verifies for the identity key and any message.
		body := `{"name":"Mallory","birth_year":1990,"status":1,"holder_public_key":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",` +
			`"signature":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmYBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}`
		time.Sleep(1100 * time.Millisecond) // a new credential is read within a second
		if code, b := post(api.PathEnroll, op, body); code != 400 || !strings.Contains(b, "identity") {
			t.Errorf("= %d %s, want 400 naming the identity point", code, b)
		}
	})
	t.Run("5 one QR at three kiosks", func(t *testing.T) {
		qr := passd("holder", "--text", "--label", "holder-1")
		body, _ := json.Marshal(api.VerifyRequest{QR: qr})
		want := map[string]string{door1: "ok", door2: api.ReasonReplayed, other: api.ReasonReplayed}
		for _, tok := range []string{door1, door2, other} {
			code, b := post(api.PathVerify, tok, string(body))
			var v api.VerifyResponse
			json.Unmarshal([]byte(b), &v)
			if code != 200 || v.Reason != want[tok] {
				t.Errorf("verify = %d %s, want %s", code, b, want[tok])
			}
		}
	})
	t.Run("6 files readable by others", func(t *testing.T) {
		fi, _ := os.Stat(data)
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
		}
		files, _ := os.ReadDir(data)
		for _, e := range files {
			fi, _ := e.Info()
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
			}
		}
	})
}
