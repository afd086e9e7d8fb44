package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/server"
)

func TestInitMakesPilotTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, root, errOut := run(t, "init", "--data", dir, "--host", "door.example.org", "--host", "10.1.2.3")
	if code != exitOK || len(strings.TrimSpace(root)) != 43 {
		t.Fatalf("init = %d %q %s", code, root, errOut)
	}
	f := tlsFiles{dir: dir}
	for _, name := range []string{caCertFile, caKeyFile, serverCert, serverKeyFile} {
		fi, err := os.Stat(f.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	ca, err := loadCert(f.path(caCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, f.path(caCertFile)) || !strings.Contains(errOut, spkiPin(ca)) {
		t.Errorf("init does not say what kiosks pin: %s", errOut)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cert, err := loadCert(f.path(serverCert))
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "door.example.org", "10.1.2.3"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
	// Again with another host: the CA stays, the certificate gains it
	// and keeps the others.
	if code, _, errOut := run(t, "init", "--data", dir, "--host", "hall.example.org"); code != exitOK {
		t.Fatalf("init again = %d %s", code, errOut)
	}
	ca2, _ := loadCert(f.path(caCertFile))
	cert2, err := loadCert(f.path(serverCert))
	if err != nil || !ca2.Equal(ca) {
		t.Fatalf("init again replaced the CA (%v)", err)
	}
	for _, host := range []string{"hall.example.org", "door.example.org", "10.1.2.3"} {
		if _, err := cert2.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("renewed certificate for %s: %v", host, err)
		}
	}

	// passd serves TLS 1.3 with it, and refuses older versions.
	pair, err := tls.LoadX509KeyPair(f.path(serverCert), f.path(serverKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TLS: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13}})
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
	defer func() { cancel(); <-done }()
	get := func(tc *tls.Config) (*http.Response, error) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
		return c.Get("https://" + ln.Addr().String() + api.PathHealth)
	}
	resp, err := get(&tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version != tls.VersionTLS13 {
		t.Errorf("healthz over TLS = %d %+v", resp.StatusCode, resp.TLS)
	}
	if _, err := get(&tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}); err == nil {
		t.Error("a TLS 1.2 client was served")
	}
	if _, err := get(&tls.Config{}); err == nil {
		t.Error("a client that does not trust the pilot CA was served")
	}
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	for _, tt := range []struct {
		addr          string
		tls, insecure bool
		ok            bool
	}{
		{"127.0.0.1:8787", false, false, true},
		{"[::1]:8787", false, false, true},
		{"0.0.0.0:8787", false, false, false},
		{"[::]:8787", false, false, false},
		{"192.168.1.20:8787", false, false, false},
		{"192.168.1.20:8787", true, false, true},
		{"0.0.0.0:8787", false, true, true},
	} {
		a, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkPlainHTTP(a, tt.tls, tt.insecure); (err == nil) != tt.ok {
			t.Errorf("%s tls %v insecure %v: %v, want ok %v", tt.addr, tt.tls, tt.insecure, err, tt.ok)
		}
	}
	dir := t.TempDir()
	if code, _, _ := run(t, "init", "--data", dir); code != exitOK {
		t.Fatal("init failed")
	}
	if code, _, errOut := run(t, "serve", "--data", dir, "--addr", "0.0.0.0:0"); code != exitUsage || !strings.Contains(errOut, "--insecure-http") {
		t.Errorf("serve on 0.0.0.0 without TLS = %d %s, want a usage error naming --insecure-http", code, errOut)
	}
	if code, _, _ := run(t, "serve", "--data", dir, "--tls-cert", "x.pem"); code != exitUsage {
		t.Errorf("serve --tls-cert without --tls-key = %d, want a usage error", code)
	}
}
