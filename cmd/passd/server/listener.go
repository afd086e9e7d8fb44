package server

import (
	"context"
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
}

func newListener(ln net.Listener, maxConns int) *listener {
	return &listener{Listener: ln, maxConns: int64(maxConns)}
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
		return &conn{Conn: stamp(c), l: l}, nil
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
// (a test server without the listener, a system without receive stamps).
func arrivalOf(ctx context.Context) time.Time {
	if s, ok := ctx.Value(connKey{}).(stamped); ok {
		return s.arrival()
	}
	return time.Time{}
}
