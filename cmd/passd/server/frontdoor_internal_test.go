package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"passdesk/api"
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
	f.Add([]byte("GET /v1/trust-list HTTP/1.1\r\nHost: a:1\r\n\r\nHEAD / HTTP/1.1\r\nHost: b\r\nContent-Length: 1\r\n\r\nx"))
	f.Add([]byte("OPTIONS /x HTTP/1.1\r\nHost: [::1]:8\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"))
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
		if f.health && (r.Method != http.MethodGet || r.URL.Path != api.PathHealth || r.URL.RawQuery != "" || len(body) != 0) {
			t.Fatalf("framed as the health check: %s %s with %d bytes of body", r.Method, r.URL, len(body))
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

// chunkConn delivers its data in the chunks given, then io.EOF.
type chunkConn struct {
	net.Conn // nil: only Read and SetReadDeadline are used
	chunks   [][]byte
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func (c *chunkConn) SetReadDeadline(time.Time) error { return nil }

// cutAt cuts in into the chunks a connection delivers, their sizes
// taken in turn from cuts (1 to 2,041 bytes), or whole without cuts.
func cutAt(in, cuts []byte) [][]byte {
	var chunks [][]byte
	for i := 0; len(in) > 0; i++ {
		n := len(in)
		if len(cuts) > 0 {
			n = min(n, 1+int(cuts[i%len(cuts)])*8)
		}
		chunks, in = append(chunks, in[:n]), in[n:]
	}
	return chunks
}

type noStamp struct{}

func (noStamp) arrival() time.Time { return time.Time{} }

// FuzzFrontConnPassesAll checks that with no queue standing the door
// hands net/http every byte in order, whatever the requests, however the
// connection cuts them and however net/http reads, while requests are
// served or between them.
func FuzzFrontConnPassesAll(f *testing.F) {
	f.Add([]byte("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte{7, 1, 200, 3})
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n"+string(make([]byte, 9000))), []byte{255, 255, 40})
	f.Add([]byte("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), []byte{5})
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		cc := &chunkConn{chunks: cutAt(in, cuts)}
		fc := &frontConn{Conn: cc, tcp: noStamp{}, door: &admission{}}
		var out []byte
		for i := 0; ; i++ {
			fc.idle.Store(len(cuts) == 0 || cuts[i%len(cuts)]%3 != 0)
			size := 4096
			if len(cuts) > 0 {
				size = 1 + int(cuts[(i+1)%len(cuts)])
			}
			p := make([]byte, size)
			n, err := fc.Read(p)
			out = append(out, p[:n]...)
			if err != nil {
				break
			}
			if i > 1<<20 {
				t.Fatal("no end")
			}
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("handed on %d bytes, not the %d read:\n%q\n%q", len(out), len(in), out, in)
		}
	})
}
