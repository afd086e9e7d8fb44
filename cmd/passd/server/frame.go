package server

import (
	"bytes"

	"passdesk/api"
)

// framed is what frame makes of the start of a buffer.
type framed struct {
	n     int  // the request's length, body included; 0: not plain, or its header not all in
	short bool // n is 0, but what is there is a plain request begun
	post  bool // the request is a POST
	// health: the request is GET of the health check, without a body.
	health bool
}

// doorMethods are the methods the door frames.
var doorMethods = [][]byte{[]byte("GET "), []byte("HEAD "), []byte("POST "), []byte("PUT "),
	[]byte("DELETE "), []byte("OPTIONS "), []byte("PATCH ")}

// frame finds the plain HTTP/1.1 request (see frontConn) at the start of
// b.
func frame(b []byte) framed {
	var method []byte
	for _, m := range doorMethods {
		if bytes.HasPrefix(b, m) {
			method = m
			break
		}
		if len(b) < len(m) && bytes.HasPrefix(m, b) {
			return framed{short: true}
		}
	}
	if method == nil {
		return framed{}
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return framed{short: len(b) < frontBuf}
	}
	head := b[:end+2] // every line with its CRLF
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasSuffix(line, []byte(" HTTP/1.1")) || !lineBytes.all(line) ||
		bytes.Count(line, []byte(" ")) != 2 || !plainPath(line[len(method):len(line)-len(" HTTP/1.1")]) {
		return framed{}
	}
	target := line[len(method) : len(line)-len(" HTTP/1.1")]
	length, hosts := -1, 0
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if !lineBytes.all(line) {
			return framed{}
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || !tokenBytes.all(name) {
			return framed{}
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length >= 0 || len(value) == 0 || len(value) > 9 {
				return framed{}
			}
			length = 0
			for _, d := range value {
				if d < '0' || d > '9' {
					return framed{}
				}
				length = length*10 + int(d-'0')
			}
		case bytes.EqualFold(name, []byte("Host")):
			if !hostBytes.all(value) {
				return framed{}
			}
			hosts++
		case bytes.EqualFold(name, []byte("Transfer-Encoding")),
			bytes.EqualFold(name, []byte("Expect")),
			bytes.EqualFold(name, []byte("Connection")),
			bytes.EqualFold(name, []byte("Upgrade")):
			return framed{}
		}
	}
	if hosts != 1 {
		return framed{}
	}
	return framed{n: end + 4 + max(length, 0), post: method[0] == 'P' && method[1] == 'O',
		health: method[0] == 'G' && length <= 0 && string(target) == api.PathHealth}
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
