package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/server"
	"passdesk/pass"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fixture struct {
	t     *testing.T
	srv   *server.Server
	http  *httptest.Server
	clock *clock
	dir   string
	// kiosk is cafe-1/door-1's credential and operator an operator's;
	// do sends the one its path needs unless told another.
	kiosk, operator string
}

func newFixture(t *testing.T, demoHolders int) *fixture {
	t.Helper()
	return newFixtureWith(t, t.TempDir(), demoHolders)
}

func newFixtureWith(t *testing.T, dir string, demoHolders int) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	srv, err := server.New(server.Config{
		Dir: dir, DemoHolders: demoHolders, Now: c.Now, Logger: quietLogger(),
		PollInterval: time.Hour, // the tests call Refresh themselves
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	f := &fixture{t: t, srv: srv, http: hs, clock: c, dir: dir}
	if f.kiosk, err = srv.AddKiosk(context.Background(), "cafe-1", "door-1"); err != nil {
		t.Fatal(err)
	}
	if f.operator, err = srv.AddOperator(context.Background(), "test desk"); err != nil {
		t.Fatal(err)
	}
	return f
}

// do sends a request and returns the status and the body.
func (f *fixture) do(method, path, contentType string, body []byte, header ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if path == api.PathEnroll {
		req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+f.operator)
	} else {
		req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+f.kiosk)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.http.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

func (f *fixture) postJSON(path string, v any) (*http.Response, []byte) {
	f.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(http.MethodPost, path, "application/json", b)
}

func (f *fixture) verify(qr string) (int, api.VerifyResponse) {
	f.t.Helper()
	resp, b := f.postJSON(api.PathVerify, api.VerifyRequest{QR: qr, VenueID: "cafe-1", KioskID: "door-1", ScanID: "s1"})
	var v api.VerifyResponse
	if err := json.Unmarshal(b, &v); err != nil {
		f.t.Fatalf("verify answer %q: %v", b, err)
	}
	return resp.StatusCode, v
}

func (f *fixture) demoQR(label string) string {
	f.t.Helper()
	qr, err := f.srv.DemoQR(context.Background(), label)
	if err != nil {
		f.t.Fatal(err)
	}
	return qr
}

func (f *fixture) trustList() (*pass.TrustList, string) {
	f.t.Helper()
	resp, b := f.do(http.MethodGet, api.PathTrustList, "", nil)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET trustlist: %d %s", resp.StatusCode, b)
	}
	root, err := pass.ParseRootKey(f.srv.RootKey())
	if err != nil {
		f.t.Fatal(err)
	}
	tl, err := pass.OpenTrustList(b, []ed25519.PublicKey{root}, nil)
	if err != nil {
		f.t.Fatalf("open trust list: %v", err)
	}
	return tl, resp.Header.Get("ETag")
}

func (f *fixture) revocations() (*pass.RevocationList, string) {
	f.t.Helper()
	resp, b := f.do(http.MethodGet, api.PathRevocations, "", nil)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET revocations: %d %s", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Content-Type"); got != api.ContentTypeCOSE {
		f.t.Errorf("revocations content type = %q", got)
	}
	root, _ := pass.ParseRootKey(f.srv.RootKey())
	rl, err := pass.OpenRevocationList(b, []ed25519.PublicKey{root}, nil)
	if err != nil {
		f.t.Fatalf("open revocation list: %v", err)
	}
	return rl, resp.Header.Get("ETag")
}

func TestVerifyDemoHolders(t *testing.T) {
	f := newFixture(t, 2)
	tests := []struct {
		label   string
		verdict string
		reason  pass.Reason
	}{
		{"holder-1", "admit", pass.OK},
		{"holder-2", "admit", pass.OK},
		{"revoked", "deny", pass.Revoked},
		{"stale", "deny", pass.QRExpired},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			code, v := f.verify(f.demoQR(tt.label))
			if code != http.StatusOK || v.Verdict != tt.verdict || v.Reason != string(tt.reason) {
				t.Errorf("verify = %d %+v, want 200 %s %s", code, v, tt.verdict, tt.reason)
			}
			if len(v.CID) != 16 || v.Name == "" || v.Status == 0 {
				t.Errorf("verify answer lacks the credential's details: %+v", v)
			}
		})
	}
}

func TestVerifyFifteenSecondRule(t *testing.T) {
	f := newFixture(t, 1)
	qr := f.demoQR("holder-1")
	f.clock.Advance(20 * time.Second) // window 15 s + skew 5 s: still fresh
	if _, v := f.verify(qr); v.Reason != string(pass.OK) {
		t.Errorf("after 20 s: %s, want ok", v.Reason)
	}
	f.clock.Advance(time.Second)
	if _, v := f.verify(qr); v.Reason != string(pass.QRExpired) {
		t.Errorf("after 21 s: %s, want qr_expired", v.Reason)
	}
}

func TestVerifyBadInput(t *testing.T) {
	f := newFixture(t, 1)
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		status      int
		reason      string
	}{
		{"malformed JSON", "POST", "application/json", `{"qr": `, 400, api.ReasonBadRequest},
		{"not an object", "POST", "application/json", `["PD1:"]`, 400, api.ReasonBadRequest},
		{"unknown field", "POST", "application/json", `{"qr":"PD1:X","admin":true}`, 400, api.ReasonBadRequest},
		{"two objects", "POST", "application/json", `{"qr":"PD1:X"}{"qr":"PD1:Y"}`, 400, api.ReasonBadRequest},
		{"wrong type", "POST", "application/json", `{"qr":5}`, 400, api.ReasonBadRequest},
		{"no qr", "POST", "application/json", `{"venue_id":"v"}`, 400, api.ReasonBadRequest},
		{"wrong content type", "POST", "text/plain", `{"qr":"PD1:X"}`, 415, api.ReasonUnsupportedMedia},
		{"no content type", "POST", "", `{"qr":"PD1:X"}`, 415, api.ReasonUnsupportedMedia},
		{"10 MB body", "POST", "application/json", `{"qr":"` + strings.Repeat("A", 10<<20) + `"}`, 413, api.ReasonBodyTooLarge},
		{"oversize QR", "POST", "application/json", `{"qr":"PD1:` + strings.Repeat("A", 1100) + `"}`, 422, string(pass.Malformed)},
		{"garbage QR", "POST", "application/json", `{"qr":"PD1:%%%% not base45"}`, 422, string(pass.Malformed)},
		{"other format", "POST", "application/json", `{"qr":"https://example.com/"}`, 422, string(pass.UnsupportedFormat)},
		{"GET", "GET", "", ``, 405, api.ReasonMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.do(tt.method, api.PathVerify, tt.contentType, []byte(tt.body))
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tt.status, b)
			}
			var e api.Error
			if err := json.Unmarshal(b, &e); err != nil || e.Error == "" || e.Reason != tt.reason {
				t.Errorf("body = %s (%v), want a JSON error with reason %s", b, err, tt.reason)
			}
		})
	}
	// A refused QR reads as a deny verdict too.
	resp, b := f.do("POST", api.PathVerify, "application/json", []byte(`{"qr":"PD1:@@"}`))
	var v api.VerifyResponse
	if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != 422 || v.Verdict != "deny" {
		t.Errorf("garbage QR answer %d %s, want 422 with verdict deny", resp.StatusCode, b)
	}
	// The service keeps serving.
	if code, v := f.verify(f.demoQR("holder-1")); code != 200 || v.Verdict != "admit" {
		t.Errorf("after bad input: %d %+v", code, v)
	}
}

func TestNotFoundIsJSON(t *testing.T) {
	f := newFixture(t, 0)
	resp, b := f.do("GET", "/v1/nothing", "", nil)
	var e api.Error
	if resp.StatusCode != 404 || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonNotFound {
		t.Errorf("GET /v1/nothing = %d %s", resp.StatusCode, b)
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t, 0)
	resp, b := f.do("GET", api.PathHealth, "", nil)
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"status":"ok"`)) {
		t.Errorf("healthz = %d %s", resp.StatusCode, b)
	}
	// The front door's answer, while a queue stands, says the same.
	door, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(f.srv.DoorHealth())), nil)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := io.ReadAll(door.Body)
	var viaHandler, viaDoor map[string]any
	if err := json.Unmarshal(b, &viaHandler); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(db, &viaDoor); err != nil {
		t.Fatalf("door's health answer %q: %v", db, err)
	}
	if door.StatusCode != 200 || door.Header.Get("Content-Type") != resp.Header.Get("Content-Type") || len(viaDoor) != len(viaHandler) || viaDoor["status"] != "ok" {
		t.Errorf("door's health answer %d %v %s, handler's %v %s", door.StatusCode, door.Header, db, resp.Header, b)
	}
}
