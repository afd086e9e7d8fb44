package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/server"
)

// BenchmarkVerifyHandler is one POST /v1/verify through the handler, no
// network: JSON in, pass.Verify with live revocation, JSON out.
func BenchmarkVerifyHandler(b *testing.B) {
	srv, err := server.New(server.Config{Dir: b.TempDir(), DemoHolders: 1, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	token, err := srv.AddKiosk(context.Background(), "v", "k")
	if err != nil {
		b.Fatal(err)
	}
	var body []byte
	var minted time.Time
	h := srv.Handler()
	for b.Loop() {
		// A QR text is fresh for 20 s: make a new one every few seconds.
		if time.Since(minted) > 5*time.Second {
			b.StopTimer()
			qr, err := srv.DemoQR(context.Background(), "holder-1")
			if err != nil {
				b.Fatal(err)
			}
			body, _ = json.Marshal(api.VerifyRequest{QR: qr, VenueID: "v", KioskID: "k"})
			minted = time.Now()
			b.StartTimer()
		}
		req := httptest.NewRequest(http.MethodPost, api.PathVerify, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkReject429 is the cost of turning a request away.
func BenchmarkReject429(b *testing.B) {
	srv, err := server.New(server.Config{Dir: b.TempDir(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	release := srv.FillAdmission()
	defer release()
	h := srv.Handler()
	body := []byte(`{"qr":"PD1:X"}`)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, api.PathVerify, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 429 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
