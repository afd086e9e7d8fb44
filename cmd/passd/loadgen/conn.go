package loadgen

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is a lean HTTP/1.1 keep-alive client connection: requests are
// written from prepared bytes and answers read with no more parsing than
// the status, Content-Length and the body need. A load generator built on
// net/http's client spends more CPU per request than the service's 429
// path does, and on a shared machine that would be measured as the
// service's own cost.
type conn struct {
	addr string
	tls  *tls.Config // nil: plain TCP
	c    net.Conn
	br   *bufio.Reader
	req  []byte // reused request buffer
	body []byte // reused answer body buffer
}

func newConn(addr string, tc *tls.Config) *conn {
	return &conn{addr: addr, tls: tc}
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

func (c *conn) dial() error {
	nc, err := dial(c.addr, c.tls)
	if err != nil {
		return err
	}
	c.c = nc
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 4096)
	} else {
		c.br.Reset(nc)
	}
	return nil
}

// dial connects to addr, over TLS when tc is set.
func dial(addr string, tc *tls.Config) (net.Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil || tc == nil {
		return nc, err
	}
	t := tls.Client(nc, tc)
	t.SetDeadline(time.Now().Add(5 * time.Second))
	if err := t.Handshake(); err != nil {
		nc.Close()
		return nil, err
	}
	t.SetDeadline(time.Time{})
	return t, nil
}

// do sends one request, a POST with a JSON body or, with a nil body, a
// GET, and returns the answer's status and body (valid until the next
// call). header is extra header lines, each ending in CRLF.
func (c *conn) do(host, path, header string, body []byte, deadline time.Time) (int, []byte, error) {
	if c.c == nil {
		if err := c.dial(); err != nil {
			return 0, nil, err
		}
	}
	if body == nil {
		c.req = append(c.req[:0], "GET "...)
	} else {
		c.req = append(c.req[:0], "POST "...)
	}
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, host...)
	c.req = append(c.req, "\r\n"...)
	c.req = append(c.req, header...)
	if body != nil {
		c.req = append(c.req, "Content-Type: application/json\r\nContent-Length: "...)
		c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
		c.req = append(c.req, "\r\n"...)
	}
	c.req = append(c.req, "\r\n"...)
	c.req = append(c.req, body...)
	c.c.SetDeadline(deadline)
	if _, err := c.c.Write(c.req); err != nil {
		c.close()
		return 0, nil, err
	}
	status, b, keep, err := c.read()
	if err != nil || !keep {
		c.close()
	}
	return status, b, err
}

var (
	errBadAnswer = errors.New("malformed HTTP answer")
	hdrLength    = []byte("content-length:")
	hdrClose     = []byte("connection: close")
)

func (c *conn) read() (status int, body []byte, keep bool, err error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, false, fmt.Errorf("%w: status line %q", errBadAnswer, line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, fmt.Errorf("%w: status line %q", errBadAnswer, line)
	}
	length, keep := -1, true
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > len(hdrLength) && bytes.EqualFold(line[:len(hdrLength)], hdrLength) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(line[len(hdrLength):])))
			if err != nil {
				return 0, nil, false, fmt.Errorf("%w: %q", errBadAnswer, line)
			}
		} else if len(line) >= len(hdrClose) && bytes.EqualFold(line[:len(hdrClose)], hdrClose) {
			keep = false
		}
	}
	if length < 0 {
		return 0, nil, false, fmt.Errorf("%w: no Content-Length", errBadAnswer)
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.br, c.body); err != nil {
		return 0, nil, false, err
	}
	return status, c.body, keep, nil
}
