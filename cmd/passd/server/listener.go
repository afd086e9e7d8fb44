package server

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// listener is the service's TCP listener: it caps the connections open at
// once and stamps each connection with the arrival time of the data it
// reads, so that admission can tell how long a request waited for the CPU
// before it was read (see sojournShedder).
type listener struct {
	net.Listener
	open     atomic.Int64
	maxConns int64
	refused  atomic.Int64
	tls      *tls.Config // nil: plain HTTP
	door     *admission  // answers what it sheds at the front door
	sweep    *sweeper    // plain TCP: reads waiting connections between verifications
	logf     func(string, ...any)
}

func newListener(ln net.Listener, maxConns int, tc *tls.Config, door *admission, logf func(string, ...any)) *listener {
	stampListener(ln)
	l := &listener{Listener: ln, maxConns: int64(maxConns), tls: tc, door: door, logf: logf}
	if tc == nil {
		l.sweep = newSweeper()
		door.sweep = l.sweep
	}
	return l
}

// Close closes the listener and the sweeper's epoll set.
func (l *listener) Close() error {
	err := l.Listener.Close()
	l.sweep.close()
	return err
}

// Accept returns the next connection under the cap. A connection over it
// is closed at once: the client sees a reset and tries again later, and
// the service keeps its memory and descriptors for the clients it has.
func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.maxConns > 0 && l.open.Load() >= l.maxConns {
			l.refused.Add(1)
			c.Close()
			continue
		}
		l.open.Add(1)
		tcp := &conn{Conn: stamp(c), l: l}
		f := &frontConn{Conn: tcp, tcp: tcp, door: l.door, logf: l.logf}
		if r, ok := tcp.Conn.(rawReader); ok && l.tls == nil {
			f.plain(r)
			l.sweep.add(f)
		}
		if l.tls != nil {
			// TLS ends here rather than in net/http, so that the front
			// door reads the requests inside it.
			f.hs = tls.Server(tcp, l.tls)
			f.Conn = f.hs
		}
		return f, nil
	}
}

// conn is an accepted connection, counted until it is closed.
type conn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// arrival is the kernel's receive time of the newest data read from c, or
// zero when it is not known.
func (c *conn) arrival() time.Time {
	if s, ok := c.Conn.(stamped); ok {
		return s.arrival()
	}
	return time.Time{}
}

// stamped is a connection that knows when its data arrived.
type stamped interface{ arrival() time.Time }

type connKey struct{}

// withConn is the http.Server's ConnContext: it lets a handler find its
// connection, under TLS too.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if n, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = n.NetConn()
	}
	if s, ok := c.(stamped); ok {
		return context.WithValue(ctx, connKey{}, s)
	}
	return ctx
}

// arrivalOf is when the request of ctx arrived, or zero when not known
// (a test server without the listener, a system without receive stamps),
// and whether the front door has already judged it.
func arrivalOf(ctx context.Context) (arrived time.Time, judged bool) {
	s, ok := ctx.Value(connKey{}).(stamped)
	if !ok {
		return time.Time{}, false
	}
	if f, ok := s.(*frontConn); ok {
		judged = f.takeJudged()
	}
	return s.arrival(), judged
}
