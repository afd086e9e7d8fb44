package remote_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/app"
	"passdesk/app/remote"
	"passdesk/internal/faultproxy"
	"passdesk/internal/testpki"
)

// fakeUpstream answers like passd, without its state, over loopback HTTP.
func fakeUpstream(t *testing.T) *httptest.Server {
	s := httptest.NewServer(fakeHandler())
	t.Cleanup(s.Close)
	return s
}

// fakeTLSUpstream is fakeUpstream over TLS, with a certificate from ca.
func fakeTLSUpstream(t *testing.T, ca *testpki.CA) *httptest.Server {
	cert, err := ca.Issue(testpki.Loopback...)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(fakeHandler())
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func fakeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+api.PathVerify, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(api.VerifyResponse{Verdict: "admit", Reason: "ok", Name: "홍*동", Status: 1})
	})
	mux.HandleFunc("POST "+api.PathEntries, func(w http.ResponseWriter, r *http.Request) {
		var req api.EntriesRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad"}`, 400)
			return
		}
		json.NewEncoder(w).Encode(api.EntriesResponse{Stored: len(req.Entries)})
	})
	mux.HandleFunc("GET "+api.PathTrustList, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"1"`)
		w.Write([]byte("signed list"))
	})
	mux.HandleFunc("GET "+api.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok","in_flight":0}`))
	})
	return mux
}

func TestClientHealthy(t *testing.T) {
	up := fakeUpstream(t)
	c, err := remote.New(up.URL, remote.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v, err := c.Verify(ctx, app.Check{QR: "PD1:X"})
	if err != nil || !v.Admit || v.Reason != "ok" || v.Name != "홍*동" {
		t.Errorf("verify %+v %v", v, err)
	}
	if err := c.Upload(ctx, "v", "k", []app.Entry{{ID: "a", Time: time.Now()}}); err != nil {
		t.Errorf("upload: %v", err)
	}
	d, err := c.FetchList(ctx, app.TrustListKind, "")
	if err != nil || string(d.Doc) != "signed list" || d.ETag != `"1"` {
		t.Errorf("list %+v %v", d, err)
	}
	d, err = c.FetchList(ctx, app.TrustListKind, `"1"`)
	if err != nil || !d.NotModified {
		t.Errorf("list again %+v %v", d, err)
	}
	if err := c.Health(ctx); err != nil {
		t.Errorf("health: %v", err)
	}
	svc, local, ok := c.Clock()
	if off := svc.Sub(local); !ok || off < 59*time.Minute || off > 61*time.Minute {
		t.Errorf("clock offset %v", off)
	}
}

// The client's faults over the link a venue has: TLS to a service whose
// CA the kiosk pins.
func TestClientFaults(t *testing.T) {
	ca, err := testpki.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	up := fakeTLSUpstream(t, ca)
	cert, err := ca.Issue(testpki.Loopback...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := faultproxy.NewTLS(up.URL, faultproxy.TLS{Cert: cert, UpstreamRoots: ca.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := ca.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		rule  faultproxy.Rule
		cause string
		retry time.Duration
	}{
		{"hang", faultproxy.Rule{Fault: faultproxy.Hang}, "timeout", 0},
		{"slow", faultproxy.Rule{Fault: faultproxy.Slow, Delay: 2 * time.Second}, "timeout", 0},
		{"500", faultproxy.Rule{Fault: faultproxy.Status, Code: 500}, "http 500", 0},
		{"429", faultproxy.Rule{Fault: faultproxy.Status, Code: 429, RetryAfter: "7"}, "http 429", 7 * time.Second},
		{"reset", faultproxy.Rule{Fault: faultproxy.Reset}, "connection reset", 0},
		{"truncated", faultproxy.Rule{Fault: faultproxy.Truncate}, "unreadable answer", 0},
		{"refused", faultproxy.Rule{Fault: faultproxy.Refuse}, "connection refused", 0},
		{"stalled handshake", faultproxy.Rule{Fault: faultproxy.StallHandshake}, "timeout", 0},
	}
	c, err := remote.New(p.URL(), remote.Options{ServerCA: caFile})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := p.Set(tc.rule); err != nil {
				t.Fatal(err)
			}
			c.Close() // a refused connection shows only on a new one
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Verify(ctx, app.Check{QR: "PD1:X"})
			if took := time.Since(start); took > 400*time.Millisecond {
				t.Errorf("took %v", took)
			}
			var u *app.Unavailable
			if !errors.As(err, &u) {
				t.Fatalf("error %v is not Unavailable", err)
			}
			if u.Cause != tc.cause || u.RetryAfter != tc.retry {
				t.Errorf("cause %q retry %v, want %q %v (%v)", u.Cause, u.RetryAfter, tc.cause, tc.retry, err)
			}
			p.Set(faultproxy.Rule{})
			if _, err := c.Verify(context.Background(), app.Check{QR: "PD1:X"}); err != nil {
				t.Errorf("after recovery: %v", err)
			}
		})
	}
}

func TestClientBadName(t *testing.T) {
	c, _ := remote.New("https://no-such-host.invalid", remote.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.Verify(ctx, app.Check{})
	var u *app.Unavailable
	if !errors.As(err, &u) || (u.Cause != "dns failure" && u.Cause != "timeout") {
		t.Errorf("got %v", err)
	}
}

func TestClientKioskMistake(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"no such venue"}`, http.StatusBadRequest)
	}))
	defer s.Close()
	c, _ := remote.New(s.URL, remote.Options{})
	_, err := c.Verify(context.Background(), app.Check{})
	var u *app.Unavailable
	if err == nil || errors.As(err, &u) {
		t.Errorf("400 gave %v", err)
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	for _, s := range []string{"", "ftp://x", "localhost:80", "http://", "http://192.0.2.1:8787", "http://kiosk-centre.example"} {
		if _, err := remote.New(s, remote.Options{}); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestUploadCleansFields(t *testing.T) {
	var got api.EntriesRequest
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		json.NewEncoder(w).Encode(api.EntriesResponse{Stored: 1})
	}))
	defer s.Close()
	c, _ := remote.New(s.URL, remote.Options{})
	long := strings.Repeat("가", 100)
	err := c.Upload(context.Background(), "v", "k", []app.Entry{{ID: "a", Time: time.Unix(1, 0), Outcome: app.Admit,
		Method: app.Offline, Reason: "ok", Issuer: "EU\x00\n" + long, CID: []byte{1, 2}, Status: 300, Name: "홍*동", Phone: "010"}})
	if err != nil {
		t.Fatal(err)
	}
	e := got.Entries[0]
	if len(e.Issuer) > 128 || strings.ContainsAny(e.Issuer, "\x00\n") || !strings.HasPrefix(e.Issuer, "EU가") {
		t.Errorf("issuer %q", e.Issuer)
	}
	if e.CID != nil || e.Status != 255 {
		t.Errorf("cid %x status %d", e.CID, e.Status)
	}
}

// TestHealthNeedsTheServiceAnswer is a captive portal: an HTML page with
// 200 to every request must not close the breaker, nor must JSON that is
// not the service's health answer.
func TestHealthNeedsTheServiceAnswer(t *testing.T) {
	for _, c := range []struct{ name, ctype, body string }{
		{"captive portal", "text/html; charset=utf-8", "<html><body>Sign in to Cafe WiFi</body></html>"},
		{"portal claiming JSON", "application/json", `{"redirect":"http://portal/login"}`},
		{"cut short", "application/json", `{"status":"o`},
		{"plain ok", "text/plain", "ok"},
		{"not ok", "application/json", `{"status":"starting"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.Write([]byte(c.body))
			}))
			defer s.Close()
			cl, err := remote.New(s.URL, remote.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = cl.Health(context.Background())
			var u *app.Unavailable
			if !errors.As(err, &u) {
				t.Fatalf("health = %v, want unavailable", err)
			}
		})
	}
}
