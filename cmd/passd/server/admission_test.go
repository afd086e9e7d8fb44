package server_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/server"
)

func TestSaturatedServiceAnswers429AtOnce(t *testing.T) {
	f := newFixture(t, 1)
	qr := f.demoQR("holder-1")
	release := f.srv.FillAdmission()
	for _, path := range []string{api.PathVerify, api.PathTrustList, api.PathEntries} {
		resp, b := f.postJSON(path, api.VerifyRequest{QR: qr})
		var e api.Error
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
			json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonOverloaded {
			t.Errorf("%s when saturated = %d Retry-After %q %s, want 429 with Retry-After 1",
				path, resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
	}
	// The health check is outside the limit.
	if resp, b := f.do("GET", api.PathHealth, "", nil); resp.StatusCode != 200 {
		t.Errorf("healthz when saturated = %d %s", resp.StatusCode, b)
	}
	release()
	if code, v := f.verify(qr); code != 200 || v.Verdict != "admit" {
		t.Errorf("after the load passed: %d %+v", code, v)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	srv, err := server.New(server.Config{Dir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + api.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Date") == "" {
		t.Errorf("healthz = %d, Date %q", resp.StatusCode, resp.Header.Get("Date"))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after shutdown = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + api.PathHealth); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

func TestHTTPServerHasTimeouts(t *testing.T) {
	srv, err := server.New(server.Config{Dir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := srv.HTTPServer("127.0.0.1:0")
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= 0 || hs.IdleTimeout <= 0 || hs.MaxHeaderBytes <= 0 {
		t.Errorf("timeouts %v %v %v %v, header limit %d: want all set",
			hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes)
	}
}
