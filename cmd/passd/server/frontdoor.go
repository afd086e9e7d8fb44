package server

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// frontConn is a connection as net/http sees it. While a queue stands,
// it reads the next request itself and asks the sojourn shedder about it:
// a request turned away is answered 429 from prepared bytes and dropped
// before net/http parses it. A refusal then costs a read, a look for the
// header's end and Content-Length, and a write, about half what net/http's
// request, header map, context and response cost (BenchmarkRefusal). A
// request admitted goes on to net/http as it came; the handler then judges
// only what the door did not.
//
// The door may answer a request only where it knows the request starts:
// it frames every request of the connection, queue or none, and hands
// net/http one whole request at a time. It frames only plain HTTP/1.1
// requests (a method of letters, a plain path, one Host, a Content-Length
// body, CRLF line ends, no Transfer-Encoding, Expect, Connection or
// Upgrade): the forms where its framing and net/http's cannot differ
// (FuzzFrame checks it against http.ReadRequest). On anything else, or
// when a client sends its next request before the answer (pipelining), it
// no longer knows where requests start, and steps aside for the rest of
// the connection: net/http reads it alone, and its handler sheds.
type frontConn struct {
	net.Conn            // the stamped connection, or TLS over it
	tcp      stamped    // the stamped connection, for arrival times
	raw      rawReader  // the stamped connection when it is plain TCP
	hs       *tls.Conn  // the TLS connection until its handshake is done
	door     *admission // the shedder and the answer
	logf     func(string, ...any)
	idle     atomic.Bool // no request of this connection is being served
	judged   atomic.Bool // the request handed on was judged at the door
	buf      []byte      // read and not yet handed on: buf[r:w]
	r, w     int
	cur      int       // bytes of the current request in buf[r:w] still to hand on
	rem      int       // bytes of it still to read from the connection
	lost     bool      // where requests start is no longer known
	begun    time.Time // when the request being read began, between requests
	// takeFn, writeFn, writeWait and writeNow are bound once: awaitTake,
	// writeConn, and writes straight to the socket that may wait for
	// room, or may not.
	takeFn              func() bool
	writeFn             func([]byte) error
	writeWait, writeNow func([]byte) error

	// Plain TCP: between requests the sweeper may read and answer for
	// the connection's goroutine while it waits (parked), under mu.
	fd     int // the socket
	mu     sync.Mutex
	parked bool
	closed bool
	rerr   error // an error met reading while parked
	ahead  bool  // the sweeper admitted the request at the socket's front
	// sweeping: the sweeper is answering, for the count of its refusals
	sweeping bool
	// rdl is the read deadline last set, in Unix ns (0: none), so that
	// the door renews it only when it draws near.
	rdl  atomic.Int64
	sw   *sweeper
	swID uint64
}

// frontBuf is the door's read buffer: a verification request is under
// 1 KiB; the header block of a longer one must fit, and its body is
// handed on as it comes.
const frontBuf = 4 << 10

// doorHeaderTimeout is how long the rest of a request begun may take,
// as net/http's ReadHeaderTimeout; doorIdleTimeout how long the next
// request may take to come, as its IdleTimeout (HTTPServer sets both).
const (
	doorHeaderTimeout = 5 * time.Second
	doorIdleTimeout   = 90 * time.Second
)

func (c *frontConn) arrival() time.Time { return c.tcp.arrival() }

// takeJudged says whether the request being served was judged at the
// door, and forgets it.
func (c *frontConn) takeJudged() bool { return c.judged.Swap(false) }

func (c *frontConn) Read(p []byte) (int, error) {
	if c.hs != nil {
		if err := c.hs.Handshake(); err != nil {
			if c.logf != nil {
				c.logf("http: TLS handshake error from %s: %v", c.RemoteAddr(), err)
			}
			return 0, err
		}
		c.hs = nil
	}
	if !c.lost && c.cur == 0 && c.rem == 0 {
		// At a request's start.
		if c.buf == nil {
			c.setUp()
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	if c.lost {
		if c.r < c.w {
			n := copy(p, c.buf[c.r:c.w])
			c.r += n
			return n, nil
		}
		return c.Conn.Read(p)
	}
	if c.cur > 0 {
		n := copy(p[:min(len(p), c.cur)], c.buf[c.r:c.w])
		c.r += n
		c.cur -= n
		return n, nil
	}
	// The rest of a body longer than the buffer, and no byte more.
	n, err := c.Conn.Read(p[:min(len(p), c.rem)])
	c.rem -= n
	return n, err
}

// setUp makes the buffer and binds the functions, at the first read.
func (c *frontConn) setUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = make([]byte, frontBuf)
	c.takeFn, c.writeFn = c.awaitTake, c.writeConn
	if c.raw != nil {
		c.writeWait = func(b []byte) error {
			n, err := c.raw.writeRaw(c.fd, b)
			if err == errWouldBlock {
				c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
				_, err = c.Conn.Write(b[n:])
			}
			return err
		}
		c.writeNow = func(b []byte) error {
			_, err := c.raw.writeRaw(c.fd, b)
			return err
		}
	}
}

// next frames the connection's next request in c.buf[c.r:c.w], reading
// as much as that takes, and sets c.cur and c.rem to it; between
// requests, while a queue stands, it first answers at the door those the
// shedder turns away. What it cannot frame it leaves in the buffer for
// net/http, and steps aside. An error leaves what was read in the buffer
// for the next call.
func (c *frontConn) next() error {
	for {
		idle := c.idle.Load()
		q := c.door.queue
		standing := idle && q != nil && q.isStand.Load()
		if !idle {
			// A request is being served, and net/http reads to learn
			// whether the client is still there. What comes is the next
			// request: keep it for the door until this one is answered
			// and net/http ends the read, unless the client goes, or
			// sends more than the buffer holds.
			for c.w < len(c.buf) && !c.lost {
				if err := c.fill(false); err != nil {
					return err
				}
			}
			if c.lost {
				return nil
			}
		}
		answered := false // the shedder has seen what the buffer starts with
		if c.r == c.w {
			c.r, c.w = 0, 0
			if idle && c.raw != nil {
				// Plain TCP: the refusals are answered inside the wait.
				if err := c.await(); err != nil {
					return err
				}
				answered = true
			} else if err := c.fill(idle); err != nil || c.lost {
				return err
			}
		}
		if standing && !answered && !c.judged.Load() {
			all, err := c.turnAway(c.writeFn, false)
			if err != nil {
				return err
			}
			if all {
				continue
			}
		}
		f, have := frame(c.buf[c.r:c.w]), c.w-c.r
		switch {
		case f.n == 0 && !f.short:
			c.lost, c.begun = true, time.Time{}
			return nil
		case f.short, f.n > have && f.n <= frontBuf:
			if err := c.fill(idle); err != nil || c.lost {
				return err
			}
			continue
		}
		c.begun = time.Time{}
		c.cur = min(f.n, have)
		c.rem = f.n - c.cur
		return nil
	}
}

// fill reads more of the connection after what c.buf holds; a deadline
// passed keeps what was read for the next call. Between
// requests, the rest of a request begun is due within the header
// timeout, as net/http would want it; while one is served the deadlines
// are net/http's own (it ends a read it no longer wants by one).
func (c *frontConn) fill(idle bool) error {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if c.w > 0 && idle && c.begun.IsZero() {
		// Once a request, not once a read: a client sending a byte at a
		// time gets no more time than net/http would give it.
		c.begun = time.Now()
		c.SetReadDeadline(c.begun.Add(doorHeaderTimeout))
	}
	n, err := c.Conn.Read(c.buf[c.w:])
	c.w += n
	if n > 0 || err == nil {
		return nil
	}
	if c.r < c.w && !errors.Is(err, os.ErrDeadlineExceeded) {
		// A request begun, and the connection ended: net/http has what
		// came, and then the error.
		c.lost = true
		return nil
	}
	return err
}

// rawReader is a plain TCP connection the front door reads and writes
// with system calls of its own (stampConn on Linux), for awaitTake and
// the sweeper. waitRaw calls take each time the socket may have data,
// until it says it has what it waited for; recvRaw reads the socket,
// which does not block (errNoData when there is nothing); writeRaw writes
// to it what its buffer takes (errWouldBlock when it is full); shutdown
// ends it both ways.
type rawReader interface {
	waitRaw(take func() bool) error
	sysfd() int
	recvRaw(fd int, p []byte, peek bool) (int, error)
	writeRaw(fd int, b []byte) (int, error)
	shutdown(fd int)
}

var (
	errNoData     = errors.New("no data yet")
	errWouldBlock = errors.New("the socket's buffer is full")
)

// plain makes c read its socket through r between requests.
func (c *frontConn) plain(r rawReader) {
	c.raw, c.fd = r, r.sysfd()
}

// await waits for the next request on plain TCP, at a request's start
// with the buffer empty, answering at the door what the shedder turns
// away, until c.buf holds something for net/http or reading fails.
func (c *frontConn) await() error {
	// A judgement not taken belonged to a request that reached no
	// admission (a path without a handler); this one is judged afresh.
	c.judged.Store(false)
	c.mu.Lock()
	c.parked = true
	c.mu.Unlock()
	err := c.raw.waitRaw(c.takeFn)
	c.mu.Lock()
	c.parked = false
	if c.r == c.w {
		if err == nil {
			err = c.rerr
		}
		c.rerr = nil
	} else {
		err = nil // the data first; an error met after it comes next call
	}
	c.mu.Unlock()
	if err != nil {
		return &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	return nil
}

// awaitTake is await's: the goroutine's own look at the socket.
func (c *frontConn) awaitTake() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.take(c.writeWait)
}

// swept is the sweeper's look at the socket, which has had data since the
// last sweep: while the goroutine waits, the door answers the requests at
// the front of the socket that the shedder turns away, and health
// checks, and takes them off it; while no queue stands, the health checks
// only. It only looks at the rest: the Go poller wakes the goroutine
// for what is left, and does not when nothing is (it asks the socket
// again before it reports an event). A client whose socket will not
// take its answer, because it reads none of them, loses the connection
// rather than hold up the verification that swept it.
func (c *frontConn) swept() {
	if !c.mu.TryLock() {
		return // the goroutine itself is reading
	}
	defer c.mu.Unlock()
	q := c.door.queue
	if !c.parked || c.r < c.w || c.closed || c.judged.Load() || q == nil {
		// Only at a request's start: the socket then starts with one.
		return
	}
	healthOnly := !q.isStand.Load()
	n, err := c.raw.recvRaw(c.fd, c.buf, true)
	if err != nil || n == 0 {
		return // for the goroutine
	}
	c.r, c.w = 0, n
	c.sweeping = true
	_, err = c.turnAway(c.writeNow, healthOnly)
	c.sweeping = false
	if c.judged.Load() {
		// Admitted, and on the socket until the goroutine reads it.
		c.ahead = true
		c.door.ahead.Add(1)
	}
	answered := c.r
	c.r, c.w = 0, 0
	if answered > 0 {
		if m, rerr := c.raw.recvRaw(c.fd, c.buf[:answered], false); rerr != nil || m != answered {
			err = errWouldBlock // cannot be: the socket held it
		}
	}
	if err != nil {
		c.raw.shutdown(c.fd)
	}
}

// take reads the socket into the empty buffer and, while a queue stands,
// answers with write the requests the shedder turns away, and says
// whether the wait is over: c.buf holds something for net/http, or
// c.rerr an error; the connection then no longer waits, for the sweeper.
// When everything read was answered it waits for more without another
// read: the socket was drained, so the next request, sent once its
// client has the answer, marks it ready again. c.mu is held.
func (c *frontConn) take(write func([]byte) error) bool {
	if c.takeOnce(write) {
		c.parked = false
		return true
	}
	return false
}

func (c *frontConn) takeOnce(write func([]byte) error) bool {
	for {
		c.r, c.w = 0, 0
		n, err := c.raw.recvRaw(c.fd, c.buf, false)
		switch {
		case err == errNoData:
			return false
		case err != nil:
			c.rerr = err
			return true
		case n == 0:
			c.rerr = io.EOF
			return true
		}
		c.w = n
		c.notAhead() // its verification begins
		if q := c.door.queue; q == nil || !q.isStand.Load() || c.judged.Load() {
			return true // judged: the sweeper admitted what it starts with
		}
		all, err := c.turnAway(write, false)
		if err != nil {
			c.rerr = err
			return true
		}
		if !all {
			return true
		}
		if n < len(c.buf) {
			return false
		}
	}
}

// notAhead says that the request the sweeper admitted, if any, is no
// longer waiting on the socket. c.mu is held.
func (c *frontConn) notAhead() {
	if c.ahead {
		c.ahead = false
		c.door.ahead.Add(-1)
	}
}

// SetReadDeadline sets the read deadline, and keeps it for turnAway.
func (c *frontConn) SetReadDeadline(t time.Time) error {
	c.rdl.Store(unixNano(t))
	return c.Conn.SetReadDeadline(t)
}

// SetDeadline sets both deadlines, keeping the read one for turnAway.
func (c *frontConn) SetDeadline(t time.Time) error {
	c.rdl.Store(unixNano(t))
	return c.Conn.SetDeadline(t)
}

// unixNano is t in Unix ns, 0 for no deadline.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Close closes the connection; the sweeper no longer reads it.
func (c *frontConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.notAhead()
	c.mu.Unlock()
	if c.sw != nil {
		c.sw.remove(c.swID)
	}
	return c.Conn.Close()
}

// Write writes net/http's answers: on plain TCP straight to the socket,
// as much as it takes, and the rest the usual way, under net/http's
// deadline. The system call does not block, so the scheduler is not told
// of it and never hands the only processor to another thread meanwhile.
// net/http writes only while a request is served, when the sweeper does
// not.
func (c *frontConn) Write(b []byte) (int, error) {
	if c.raw == nil || len(b) == 0 {
		return c.Conn.Write(b)
	}
	n, err := c.raw.writeRaw(c.fd, b)
	if err == errWouldBlock {
		var m int
		m, err = c.Conn.Write(b[n:])
		n += m
	}
	return n, err
}

// writeConn writes an answer through the connection net/http has.
func (c *frontConn) writeConn(b []byte) error {
	c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, err := c.Conn.Write(b)
	return err
}

// turnAway answers the POSTs at the front of the buffer that the shedder
// turns away, and health checks (only those when healthOnly), and says
// whether the buffer is now empty (read again) or holds what is to go
// on: a request admitted, another request, or one not whole. The health
// check is answered here because under load its goroutine would wait for
// the scheduler's round, and the check is there to say, within
// milliseconds, that the service is alive.
func (c *frontConn) turnAway(write func([]byte) error, healthOnly bool) (more bool, err error) {
	answered := false
	defer func() {
		// net/http, waiting for a request the door answered, still has
		// the deadline of the one before, or of the first request's
		// header: the connection is idle again. Renewed once it is within
		// half the idle timeout, not at every answer: setting a deadline
		// costs a timer's update.
		if d := c.rdl.Load(); answered && d != 0 {
			if now := time.Now(); d < now.Add(doorIdleTimeout/2).UnixNano() {
				c.SetReadDeadline(now.Add(doorIdleTimeout))
			}
		}
	}()
	for c.r < c.w {
		f := frame(c.buf[c.r:c.w])
		if f.n == 0 || f.n > c.w-c.r {
			return false, nil
		}
		if f.health && c.door.health != nil {
			arrived := c.arrival()
			if err := write(c.door.healthAnswer()); err != nil {
				return false, err
			}
			if !arrived.IsZero() {
				c.door.healthWait.add(time.Since(arrived))
			}
			c.r += f.n
			c.begun, answered = time.Time{}, true
			continue
		}
		if !f.post || healthOnly {
			return false, nil
		}
		arrived := c.arrival()
		if !c.door.queue.shed(arrived, c.door.backlog()) {
			c.judged.Store(true)
			return false, nil
		}
		if c.sweeping {
			c.door.swept.Add(1)
		}
		if err := c.door.refuseRaw(write, arrived); err != nil {
			return false, err
		}
		c.r += f.n
		c.begun, answered = time.Time{}, true
	}
	return true, nil
}

// refuseRaw writes the 429 answer with write, as reject does through
// net/http, with the Date of this second.
func (a *admission) refuseRaw(write func([]byte) error, arrived time.Time) error {
	// Counted before it is written: whoever has the answer sees it.
	a.doorShed.Add(1)
	err := write(a.raw.answer())
	if !arrived.IsZero() {
		a.shedWait.add(time.Since(arrived))
	}
	return err
}

// healthAnswer is the whole answer to GET /healthz, as net/http would
// write it.
func (a *admission) healthAnswer() []byte {
	body := a.health()
	return []byte("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)+1) +
		"\r\nContent-Type: application/json\r\nDate: " + time.Now().UTC().Format(http.TimeFormat) +
		"\r\n\r\n" + string(body) + "\n")
}

// rawAnswer is the whole 429 answer, remade when the second of its Date
// changes.
type rawAnswer struct {
	body, retryAfter string
	mu               sync.Mutex
	sec              atomic.Int64
	b                atomic.Pointer[[]byte]
}

func (r *rawAnswer) answer() []byte {
	now := time.Now()
	if sec := now.Unix(); r.sec.Load() != sec {
		r.mu.Lock()
		if r.sec.Load() != sec {
			b := []byte("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: " +
				r.retryAfter + "\r\nDate: " + now.UTC().Format(http.TimeFormat) +
				"\r\nContent-Length: " + strconv.Itoa(len(r.body)+1) + "\r\n\r\n" + r.body + "\n")
			r.b.Store(&b)
			r.sec.Store(sec)
		}
		r.mu.Unlock()
	}
	return *r.b.Load()
}

// connState is the http.Server's ConnState: it tells a frontConn when it
// is between requests.
func connState(c net.Conn, st http.ConnState) {
	if f, ok := c.(*frontConn); ok {
		f.idle.Store(st == http.StateNew || st == http.StateIdle)
	}
}
