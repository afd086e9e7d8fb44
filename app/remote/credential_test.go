package remote_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passdesk/api"
	"passdesk/app"
	"passdesk/app/remote"
)

const token = "pdk_0123456789abcdef0123456789abcdef"

// authServer answers verify calls over TLS when they carry token, 401
// otherwise, and writes its certificate where a kiosk would pin it.
func authServer(t *testing.T) (srv *httptest.Server, caFile string) {
	t.Helper()
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(api.HeaderAuthorization) != api.BearerPrefix+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"unknown kiosk credential","reason":"unauthorized"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"verdict":"deny","reason":"malformed"}`))
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, caFile
}

func writeCredential(t *testing.T, tok string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kiosk.token")
	if err := os.WriteFile(p, []byte(tok+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func TestCredentialAndPinnedCA(t *testing.T) {
	srv, ca := authServer(t)
	ctx := context.Background()
	t.Run("the pinned CA and the token get an answer", func(t *testing.T) {
		c, err := remote.New(srv.URL, remote.Options{ServerCA: ca, CredentialFile: writeCredential(t, token, 0o600)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if ov, err := c.Verify(ctx, app.Check{QR: "PD1:"}); err != nil || ov.Reason != "malformed" {
			t.Errorf("verify: %+v, %v", ov, err)
		}
	})
	t.Run("a refused credential is a configuration problem, not an outage", func(t *testing.T) {
		c, err := remote.New(srv.URL, remote.Options{ServerCA: ca, CredentialFile: writeCredential(t, "pdk_revokedrevokedrevoked", 0o600)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Verify(ctx, app.Check{QR: "PD1:"})
		var u *app.Unavailable
		if !errors.Is(err, app.ErrUnauthorized) || errors.As(err, &u) {
			t.Errorf("err = %v, want ErrUnauthorized and not Unavailable", err)
		}
	})
	t.Run("without the pinned CA the certificate is refused", func(t *testing.T) {
		c, err := remote.New(srv.URL, remote.Options{CredentialFile: writeCredential(t, token, 0o600)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Verify(ctx, app.Check{QR: "PD1:"}); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("err = %v, want a certificate error", err)
		}
	})
	t.Run("a credential others can read is refused", func(t *testing.T) {
		if _, err := remote.New(srv.URL, remote.Options{ServerCA: ca, CredentialFile: writeCredential(t, token, 0o644)}); err == nil {
			t.Error("a 0644 credential file accepted")
		}
	})
	t.Run("a file that holds no credential is refused", func(t *testing.T) {
		if _, err := remote.New(srv.URL, remote.Options{ServerCA: ca, CredentialFile: writeCredential(t, "hello", 0o600)}); err == nil {
			t.Error("a file without a token accepted")
		}
	})
}
