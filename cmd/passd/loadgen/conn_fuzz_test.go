package loadgen

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadAnswer feeds the answer parser whatever a service might send:
// it returns an error or a body of the length the headers said, and
// never panics.
func FuzzReadAnswer(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"garbage",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &conn{br: bufio.NewReaderSize(bytes.NewReader(b), 4096)}
		status, body, _, err := c.read()
		if err == nil && (status < 0 || status > 999 || len(body) > len(b)) {
			t.Errorf("status %d, body of %d bytes from %d bytes", status, len(body), len(b))
		}
	})
}
