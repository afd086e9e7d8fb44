package loadgen_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"passdesk/cmd/passd/loadgen"
)

func TestRunClosedAndOpen(t *testing.T) {
	srv, url, header := startServer(t, 2)
	m := newMinter(t, srv)
	r, err := loadgen.Run(context.Background(), loadgen.Config{URL: url, Bodies: m.Next, Header: header, Concurrency: 2,
		Duration: 300 * time.Millisecond, Health: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK == 0 || r.Admitted != r.OK || r.Failed != 0 || r.OKLatency.N != r.OK || r.OKLatency.P99 < r.OKLatency.P50 {
		t.Errorf("closed loop: %v (%s)", r, r.FirstError)
	}
	if r.HealthLatency.N < 3 || r.HealthFailed != 0 {
		t.Errorf("health checks: %v, %d failed", r.HealthLatency, r.HealthFailed)
	}
	r, err = loadgen.Run(context.Background(), loadgen.Config{URL: url, Bodies: m.Next, Header: header, Rate: 50, Concurrency: 4, Duration: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent+r.Dropped < 15 || r.Sent+r.Dropped > 25 || r.Failed != 0 {
		t.Errorf("open loop at 50/s for 0.4 s: %v (%s)", r, r.FirstError)
	}
}

func TestStaticTextsAndFailures(t *testing.T) {
	_, url, header := startServer(t, 0)
	bodies, err := loadgen.Static([]string{"PD1:NOTAPASS"}, "v", "k")
	if err != nil {
		t.Fatal(err)
	}
	r, err := loadgen.Run(context.Background(), loadgen.Config{URL: url, Bodies: bodies, Header: header, Concurrency: 1, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed == 0 || !strings.Contains(r.FirstError, "422") {
		t.Errorf("garbage texts: %v, first error %q", r, r.FirstError)
	}
	if _, err := loadgen.Static(nil, "v", "k"); err == nil {
		t.Error("Static with no texts succeeded")
	}
	if _, err := loadgen.Run(context.Background(), loadgen.Config{URL: "ftp://x", Bodies: bodies, Duration: time.Second}); err == nil {
		t.Error("Run with a non-HTTP URL succeeded")
	}
}

func TestMalformedAnswers(t *testing.T) {
	for _, answer := range []string{
		"garbage\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}",
		"HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}",
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 4096)
				c.Read(buf)
				c.Write([]byte(answer))
				c.Close()
			}
		}()
		bodies, _ := loadgen.Static([]string{"PD1:X"}, "v", "k")
		r, err := loadgen.Run(context.Background(), loadgen.Config{URL: fmt.Sprintf("http://%s", ln.Addr()), Bodies: bodies,
			Concurrency: 1, Duration: 50 * time.Millisecond, Timeout: time.Second})
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed == 0 || r.OK != 0 {
			t.Errorf("answer %q: %v", answer, r)
		}
	}
}
