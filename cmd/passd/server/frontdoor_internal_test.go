package server

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

func TestFrame(t *testing.T) {
	post := "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n"
	for _, c := range []struct {
		name, in string
		want     int
	}{
		{"whole", post + "{\"a\"}", len(post) + 5},
		{"whole then the next", post + "{\"a\"}" + post, len(post) + 5},
		{"no body", "POST /v1/verify HTTP/1.1\r\nHost: x\r\n\r\n", 37},
		{"zero body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET", 47},
		{"no host", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0},
		{"two hosts", "POST / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 0},
		{"not a path", "POST * HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"body not all in", post + "{\"a", len(post) + 5},
		{"header not all in", "POST /v1/verify HTTP/1.1\r\nHost: x\r\n", 0},
		{"GET", "GET /v1/trust-list HTTP/1.1\r\nHost: x\r\n\r\n", 40},
		{"CONNECT", "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"HTTP/1.0", "POST /v1/verify HTTP/1.0\r\nHost: x\r\n\r\n", 0},
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0},
		{"expect", "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", 0},
		{"connection close", "POST / HTTP/1.1\r\nconnection: close\r\n\r\n", 0},
		{"two lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0},
		{"signed length", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", 0},
		{"bare LF in a header", "POST / HTTP/1.1\r\nX: a\nContent-Length: 1\r\n\r\nx", 0},
		{"space before colon", "POST / HTTP/1.1\r\nContent-Length : 1\r\n\r\nx", 0},
		{"folded header", "POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 0},
		{"extra space in request line", "POST  / HTTP/1.1\r\n\r\n", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := frame([]byte(c.in)); got.n != c.want {
				t.Errorf("frame = %+v, want n %d", got, c.want)
			}
		})
	}
}

// FuzzFrame checks the front door's framing against net/http's: a
// request the door frames is one net/http reads the same, a POST of
// HTTP/1.1 that ends exactly where the door says.
func FuzzFrame(f *testing.F) {
	f.Add([]byte("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}POST"))
	f.Add([]byte("POST / HTTP/1.1\r\nX: a\nContent-Length: 1\r\n\r\nxy"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		f := frame(b)
		n := f.n
		if n == 0 || n > len(b) {
			return // not whole: the door hands on no byte of it as a request
		}
		br := bufio.NewReader(bytes.NewReader(b))
		r, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("framed %d bytes net/http does not read: %v", n, err)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatalf("framed body net/http does not read: %v", err)
		}
		if f.post != (r.Method == http.MethodPost) || r.ProtoMajor != 1 || r.ProtoMinor != 1 || r.Close {
			t.Fatalf("framed %+v as %s %s close=%v", f, r.Method, r.Proto, r.Close)
		}
		if used := len(b) - br.Buffered(); used != n {
			t.Fatalf("net/http read %d bytes (body %d), the door framed %d", used, len(body), n)
		}
	})
}

// BenchmarkFrame is the front door's own work for a verification
// request: framing it, before the read and the write around it.
func BenchmarkFrame(b *testing.B) {
	req := []byte("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nAuthorization: Bearer pdk_0123456789abcdef0123456789abcdef0123456789a\r\n" +
		"Content-Type: application/json\r\nContent-Length: 460\r\n\r\n" + string(bytes.Repeat([]byte("x"), 460)))
	b.ReportAllocs()
	for b.Loop() {
		if frame(req).n != len(req) {
			b.Fatal("not framed")
		}
	}
}
