package server_test

import (
	"bufio"
	"context"
	"crypto/tls"
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
	"passdesk/internal/testpki"
)

// TestFrontDoorAnswersWhatItSheds drives the service into a standing
// queue and checks that requests then turned away are answered at the
// front door: three pipelined POSTs get three 429s on one connection,
// which stays open and has its next request, on time, verified.
func TestFrontDoorAnswersWhatItSheds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("receive timestamps are read on Linux only")
	}
	for _, overTLS := range []bool{false, true} {
		name := "plain"
		if overTLS {
			name = "TLS"
		}
		t.Run(name, func(t *testing.T) { testFrontDoor(t, overTLS) })
	}
}

func testFrontDoor(t *testing.T, overTLS bool) {
	// The service's clock stands 10 s ahead of the kernel's stamps, so
	// that every request has waited 10 s, and moves only when the test
	// moves it: the shedder's intervals are the test's.
	var clock atomic.Int64 // Unix ns; 0: the real time
	clock.Store(time.Now().Add(10 * time.Second).UnixNano())
	now := func() time.Time {
		if ns := clock.Load(); ns != 0 {
			return time.Unix(0, ns)
		}
		return time.Now()
	}
	cfg := server.Config{DemoHolders: 1, Now: now, ShedTarget: 2 * time.Millisecond, ShedBurst: time.Second}
	var client *tls.Config
	if overTLS {
		cfg.TLS, client = testTLS(t)
	}
	s := serve(t, cfg)
	qr, err := s.srv.DemoQR(context.Background(), "holder-1")
	if err != nil {
		t.Fatal(err)
	}
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", s.addr)
		if err == nil && client != nil {
			c = tls.Client(c, client)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c, bufio.NewReader(c)
	}
	body, _ := json.Marshal(api.VerifyRequest{QR: qr})
	req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: passd\r\nContent-Type: application/json\r\n%s: %s%s\r\nContent-Length: %d\r\n\r\n%s",
		api.PathVerify, api.HeaderAuthorization, api.BearerPrefix, s.token, len(body), body)
	read := func(br *bufio.Reader) (*http.Response, string) {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	hc, scheme := &http.Client{Transport: &http.Transport{TLSClientConfig: client}}, "http"
	if client != nil {
		scheme = "https"
	}
	health := func() map[string]any {
		t.Helper()
		resp, err := hc.Get(scheme + "://" + s.addr + api.PathHealth)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	door := func() float64 { return health()["shed_at_door"].(float64) }

	// Twenty requests that waited longer than a burst make a standing
	// queue at once; the service answers them itself, as the door was not
	// yet shut.
	c, br := dial()
	for i := range 20 {
		io.WriteString(c, req)
		if resp, b := read(br); resp.StatusCode != 429 {
			t.Fatalf("late request %d = %d %s, want 429", i, resp.StatusCode, b)
		}
	}
	if h := health(); h["shedding"] != true || h["shed_at_door"] != 0.0 {
		t.Fatalf("healthz = %v, want shedding and none shed at the door yet", h)
	}

	c, br = dial()
	io.WriteString(c, req+req+req)
	for i := range 3 {
		resp, b := read(br)
		var e api.Error
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || resp.Header.Get("Date") == "" ||
			resp.Close || json.Unmarshal([]byte(b), &e) != nil || e.Reason != api.ReasonOverloaded {
			t.Errorf("pipelined request %d = %d %v close=%v %s, want 429 overloaded kept alive", i, resp.StatusCode, resp.Header, resp.Close, b)
		}
	}
	if n := door(); n != 3 {
		t.Errorf("shed at the door = %v, want 3", n)
	}

	// A request split over two writes is read whole at the door and
	// answered there.
	cut := strings.Index(req, "\r\n\r\n") + 4
	io.WriteString(c, req[:cut])
	time.Sleep(20 * time.Millisecond)
	io.WriteString(c, req[cut:])
	if resp, b := read(br); resp.StatusCode != 429 {
		t.Errorf("split late request = %d %s, want 429", resp.StatusCode, b)
	}
	if n := door(); n != 4 {
		t.Errorf("shed at the door after a split request = %v, want 4", n)
	}

	// A GET between keeps the door in step with the connection.
	io.WriteString(c, "GET "+api.PathHealth+" HTTP/1.1\r\nHost: passd\r\n\r\n")
	if resp, b := read(br); resp.StatusCode != 200 {
		t.Fatalf("health on the connection = %d %s", resp.StatusCode, b)
	}
	io.WriteString(c, req)
	if resp, b := read(br); resp.StatusCode != 429 {
		t.Errorf("late request after a GET = %d %s, want 429", resp.StatusCode, b)
	}
	if n := door(); n != 5 {
		t.Errorf("shed at the door after a GET = %v, want 5", n)
	}

	// A request whose header block arrives in two parts, the second
	// looking like a request of its own (a proxy may cut a header
	// anywhere), is one request: the door must not answer the second
	// part, or net/http and whoever sent it would disagree on where each
	// request ends. Here the whole is malformed, and net/http says so.
	c2, br2 := dial()
	part1 := "POST " + api.PathVerify + " HTTP/1.1\r\nHost: passd\r\nX-Pad: x"
	part2 := req[:strings.Index(req, "\r\n\r\n")+4] + body2(len(req)-strings.Index(req, "\r\n\r\n")-4)
	io.WriteString(c2, part1)
	time.Sleep(20 * time.Millisecond)
	before := door()
	io.WriteString(c2, part2)
	if resp, b := read(br2); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a request cut before a header that reads as a request = %d %s, want 400 from net/http", resp.StatusCode, b)
	}
	if n := door(); n != before {
		t.Errorf("the door answered part of a request: %v shed there, want %v", n, before)
	}

	// On time again, the same connection's next request is verified.
	clock.Store(0)
	io.WriteString(c, req)
	if resp, b := read(br); resp.StatusCode != 200 {
		t.Errorf("request on time after the 429s = %d %s, want 200", resp.StatusCode, b)
	}
}

// body2 is n bytes of a JSON body.
func body2(n int) string { return strings.Repeat(" ", n) }

// testTLS is a server configuration with a certificate for the loopback
// names from a fresh test CA, and a client configuration that trusts it.
func testTLS(t *testing.T) (srv, client *tls.Config) {
	t.Helper()
	ca, err := testpki.NewCA("passd test CA")
	if err != nil {
		t.Fatal(err)
	}
	if srv, err = ca.ServerConfig(); err != nil {
		t.Fatal(err)
	}
	return srv, &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
}

// The health check's own wait, from its arrival at the kernel to its
// answer, is in the health answer: a client's figure includes its own
// scheduling, the service's does not.
func TestHealthSaysHowLongHealthChecksWaited(t *testing.T) {
	s := serve(t, server.Config{DemoHolders: 1})
	if h := s.health(t); h["health_p99_ms"] != nil {
		t.Fatalf("first health check %v: no wait measured yet", h)
	}
	h := s.health(t)
	p99, _ := h["health_p99_ms"].(float64)
	most, _ := h["health_max_ms"].(float64)
	if p99 <= 0 || most < p99 || most > 10_000 {
		t.Errorf("health_p99_ms %v, health_max_ms %v: want the first check's wait", h["health_p99_ms"], h["health_max_ms"])
	}
}
