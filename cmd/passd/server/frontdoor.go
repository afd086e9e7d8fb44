package server

import (
	"bytes"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// frontConn is a connection as net/http sees it. While the connection is
// between requests (net/http's StateNew or StateIdle) and a queue is
// standing, it reads the next request itself and asks the sojourn
// shedder about it. A request turned away is answered 429 from prepared
// bytes and dropped before net/http parses it: a refusal costs a read,
// a look for the header's end and Content-Length, and a write, far less
// than net/http's request, header map, context and response would (see
// cmd/passd/README.md). A request admitted, and anything the door does
// not frame with certainty, goes on to net/http as it came; the handler
// then judges only what the door did not.
//
// The door frames only a plain HTTP/1.1 POST with one Host whose header
// block and Content-Length body are whole in one read, with CRLF line
// ends and no Transfer-Encoding, Expect, Connection or Upgrade header:
// the forms where its framing and net/http's cannot differ (FuzzFrame
// checks it against http.ReadRequest), so no byte of one request is ever
// read as another.
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
	// refuseFn and writeFn are refuse and writeConn, bound once.
	refuseFn func(n int, write func([]byte) error) (int, error)
	writeFn  func([]byte) error
}

// frontBuf is the door's read buffer: a verification request is under
// 1 KiB, and anything that does not fit goes on to net/http unframed.
const frontBuf = 4 << 10

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
	if c.r < c.w {
		n := copy(p, c.buf[c.r:c.w])
		c.r += n
		return n, nil
	}
	q := c.door.queue
	if !c.idle.Load() || q == nil || !q.isStand.Load() {
		return c.Conn.Read(p)
	}
	if c.buf == nil {
		c.buf = make([]byte, frontBuf)
		c.refuseFn, c.writeFn = c.refuse, c.writeConn
	}
	if c.raw != nil {
		used, n, err := c.raw.readRefusing(c.buf, c.refuseFn)
		if used == n {
			c.r, c.w = 0, 0
			return 0, err
		}
		c.r, c.w = used, n
	} else {
		for {
			n, err := c.Conn.Read(c.buf)
			c.r, c.w = 0, n
			if n == 0 {
				return 0, err
			}
			more, werr := c.turnAway(c.writeFn)
			if werr != nil {
				c.r, c.w = 0, 0
				return 0, werr
			}
			if !more {
				break
			}
			if err != nil {
				return 0, err
			}
		}
	}
	n := copy(p, c.buf[c.r:c.w])
	c.r += n
	return n, nil
}

// rawReader is a connection that reads and answers refusals inside one
// wait for its data (stampConn on Linux): readRefusing reads into buf,
// hands refuse the n bytes read, and returns when refuse leaves some
// unused (buf[used:n], for net/http) or on an error. When refuse has
// answered all it read, it waits for more without another read: the
// system call that would only say "nothing yet".
type rawReader interface {
	readRefusing(buf []byte, refuse func(n int, write func([]byte) error) (used int, err error)) (used, n int, err error)
}

// refuse is turnAway for a rawReader.
func (c *frontConn) refuse(n int, write func([]byte) error) (int, error) {
	c.r, c.w = 0, n
	_, err := c.turnAway(write)
	return c.r, err
}

// writeConn writes an answer through the connection net/http has.
func (c *frontConn) writeConn(b []byte) error {
	c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, err := c.Conn.Write(b)
	return err
}

// turnAway answers the requests at the front of the buffer that the
// shedder turns away, and says whether the buffer is now empty (read
// again) or holds what net/http is to have.
func (c *frontConn) turnAway(write func([]byte) error) (more bool, err error) {
	for c.r < c.w {
		n := frame(c.buf[c.r:c.w])
		if n == 0 {
			return false, nil
		}
		arrived := c.arrival()
		if !c.door.queue.shed(arrived) {
			c.judged.Store(true)
			return false, nil
		}
		if err := c.door.refuseRaw(write, arrived); err != nil {
			return false, err
		}
		c.r += n
	}
	return true, nil
}

// frame is the length of the whole request at the start of b when it is
// a POST the door may answer itself (see frontConn), else 0.
func frame(b []byte) int {
	if !bytes.HasPrefix(b, []byte("POST ")) {
		return 0
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0
	}
	head := b[:end+2] // every line with its CRLF
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasSuffix(line, []byte(" HTTP/1.1")) || !lineBytes.all(line) ||
		bytes.Count(line, []byte(" ")) != 2 || !plainPath(line[len("POST "):len(line)-len(" HTTP/1.1")]) {
		return 0
	}
	length, hosts := -1, 0
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if !lineBytes.all(line) {
			return 0
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || !tokenBytes.all(name) {
			return 0
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length >= 0 || len(value) == 0 || len(value) > 7 {
				return 0
			}
			length = 0
			for _, d := range value {
				if d < '0' || d > '9' {
					return 0
				}
				length = length*10 + int(d-'0')
			}
		case bytes.EqualFold(name, []byte("Host")):
			if !hostBytes.all(value) {
				return 0
			}
			hosts++
		case bytes.EqualFold(name, []byte("Transfer-Encoding")),
			bytes.EqualFold(name, []byte("Expect")),
			bytes.EqualFold(name, []byte("Connection")),
			bytes.EqualFold(name, []byte("Upgrade")):
			return 0
		}
	}
	n := end + 4 + max(length, 0)
	if hosts != 1 || n > len(b) {
		return 0
	}
	return n
}

// plainPath says whether a request target is a path of letters, digits
// and /.-_~, as the service's own are.
func plainPath(b []byte) bool { return len(b) > 0 && b[0] == '/' && pathBytes.all(b) }

// Byte classes of the door's framing, as tables: a look-up a byte.
var (
	lineBytes  = byteClass(func(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' })
	tokenBytes = byteClass(func(c byte) bool {
		return c > ' ' && c < 0x7f && bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) < 0
	})
	pathBytes = byteClass(func(c byte) bool { return alnum(c) || bytes.IndexByte([]byte("/.-_~"), c) >= 0 })
	hostBytes = byteClass(func(c byte) bool { return alnum(c) || bytes.IndexByte([]byte(".-:[]"), c) >= 0 })
)

type class [256]bool

func byteClass(in func(byte) bool) *class {
	var t class
	for c := range 256 {
		t[c] = in(byte(c))
	}
	return &t
}

// all says whether every byte of b is in t.
func (t *class) all(b []byte) bool {
	for _, c := range b {
		if !t[c] {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
