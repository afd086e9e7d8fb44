package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/server"
)

// served is a server behind Serve's own listener on a loopback port.
type served struct {
	srv   *server.Server
	addr  string
	token string // cafe-1/door-1's credential
}

func serve(t *testing.T, cfg server.Config) *served {
	t.Helper()
	cfg.Dir, cfg.Logger = t.TempDir(), quietLogger()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	token, err := srv.AddKiosk(context.Background(), "cafe-1", "door-1")
	if err != nil {
		t.Fatal(err)
	}
	return &served{srv: srv, addr: ln.Addr().String(), token: token}
}

func (s *served) verify(t *testing.T, qr string) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(api.VerifyRequest{QR: qr})
	req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+api.PathVerify, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestRequestsThatWaitedAreShed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("receive timestamps are read on Linux only")
	}
	// The service's clock runs ahead of the kernel's stamps by shift: to
	// the shedder every request has waited that long.
	var shift atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	s := serve(t, server.Config{DemoHolders: 1, Now: now, ShedTarget: 2 * time.Millisecond})
	qr, err := s.srv.DemoQR(context.Background(), "holder-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("fresh", func(t *testing.T) {
		if resp, b := s.verify(t, qr); resp.StatusCode != 200 {
			t.Errorf("a request that did not wait = %d %s, want 200", resp.StatusCode, b)
		}
	})
	t.Run("waited a second", func(t *testing.T) {
		shift.Store(int64(time.Second))
		defer shift.Store(0)
		resp, b := s.verify(t, qr)
		var e api.Error
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonOverloaded {
			t.Errorf("a request that waited 1 s = %d Retry-After %q %s, want 429 overloaded", resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
		resp, err := http.Get("http://" + s.addr + api.PathHealth)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("healthz = %d, want 200: it is never shed", resp.StatusCode)
		}
	})
}

func TestSlowBodyHoldsNoSlot(t *testing.T) {
	s := serve(t, server.Config{DemoHolders: 1, MaxInFlight: 1, BodyTimeout: 300 * time.Millisecond})
	qr, err := s.srv.DemoQR(context.Background(), "holder-1")
	if err != nil {
		t.Fatal(err)
	}
	var slow []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{", api.PathVerify)
		slow = append(slow, c)
	}
	time.Sleep(50 * time.Millisecond) // the slow requests are in
	if resp, b := s.verify(t, qr); resp.StatusCode != 200 {
		t.Errorf("verify beside slow bodies = %d %s, want 200", resp.StatusCode, b)
	}
	for i, c := range slow {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("slow body %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
			t.Errorf("slow body %d = %d (close %v), want 408 and the connection closed", i, resp.StatusCode, resp.Close)
		}
	}
}

func TestConnectionCap(t *testing.T) {
	s := serve(t, server.Config{MaxConns: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// Both are accepted before the third arrives.
	for _, c := range held {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", api.PathHealth)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("a connection under the cap: %v %v", resp, err)
		}
	}
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("a connection over the cap read %d bytes, want it closed", n)
	}
	c.Close()
	held[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + s.addr + api.PathHealth)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection after one closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
