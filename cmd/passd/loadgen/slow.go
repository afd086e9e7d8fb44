package loadgen

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/api"
)

// SlowStats counts what the slow clients went through.
type SlowStats struct {
	Clients int
	// Dials are the connections made, Closed those the service closed
	// (a slow client dials again at once).
	Dials, Closed int64
	DialErrors    int64
}

// Slow is a crowd of clients that hold connections the cheap way: a third
// send their headers a line every 2 s, a third send full headers with
// Content-Length 60000 and then the body a byte every 2 s, a third send
// one health check and then idle on their keep-alive connection. Each
// dials again when the service closes its connection.
type Slow struct {
	cancel                  context.CancelFunc
	wg                      sync.WaitGroup
	n                       int
	dials, closed, dialErrs atomic.Int64
}

// slowEvery is how often a slow client sends its next byte.
const slowEvery = 2 * time.Second

// StartSlow starts n slow clients against the service at rawURL.
func StartSlow(ctx context.Context, rawURL string, tc *tls.Config, n int) (*Slow, error) {
	t, err := parseTarget(rawURL, tc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Slow{cancel: cancel, n: n}
	for i := range n {
		s.wg.Go(func() { s.client(ctx, t, i%3) })
	}
	return s, nil
}

// Stop stops the slow clients and says what they went through.
func (s *Slow) Stop() SlowStats {
	s.cancel()
	s.wg.Wait()
	return SlowStats{Clients: s.n, Dials: s.dials.Load(), Closed: s.closed.Load(), DialErrors: s.dialErrs.Load()}
}

func (s *Slow) client(ctx context.Context, t target, kind int) {
	for ctx.Err() == nil {
		c, err := dial(t.addr, t.tls)
		if err != nil {
			s.dialErrs.Add(1)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		s.dials.Add(1)
		stop := context.AfterFunc(ctx, func() { c.Close() })
		if closed := s.hold(ctx, c, t.host, kind); closed {
			s.closed.Add(1)
		}
		stop()
		c.Close()
	}
}

// hold keeps c busy the slow way until the service closes it (true) or
// ctx ends.
func (s *Slow) hold(ctx context.Context, c net.Conn, host string, kind int) bool {
	var first, each string
	switch kind {
	case 0: // slow headers
		first, each = "POST "+api.PathVerify+" HTTP/1.1\r\nHost: "+host+"\r\n", "X-Slow: a\r\n"
	case 1: // slow body
		first = "POST " + api.PathVerify + " HTTP/1.1\r\nHost: " + host +
			"\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
		each = " "
	default: // idle keep-alive
		first = "GET " + api.PathHealth + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	}
	buf := make([]byte, 4096)
	if _, err := c.Write([]byte(first)); err != nil {
		return ctx.Err() == nil
	}
	for ctx.Err() == nil {
		// Reading until the next byte is due both waits and notices the
		// service closing the connection (after a 408 or without one).
		c.SetReadDeadline(time.Now().Add(slowEvery))
		if _, err := c.Read(buf); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return ctx.Err() == nil
		}
		if each != "" {
			if _, err := c.Write([]byte(each)); err != nil {
				return ctx.Err() == nil
			}
		}
	}
	return false
}
