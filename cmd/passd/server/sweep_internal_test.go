package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// socket is a plain TCP socket in memory for the front door's own system
// calls: in is what the client has sent and the door not yet read.
type socket struct {
	in   []byte
	out  bytes.Buffer
	full bool // the client reads nothing: a write that may not wait fails
	shut bool
}

func (s *socket) waitRaw(take func() bool) error {
	if !take() {
		return errors.New("the test's socket would wait")
	}
	return nil
}
func (s *socket) sysfd() int { return 3 }
func (s *socket) recvRaw(_ int, p []byte, peek bool) (int, error) {
	if len(s.in) == 0 {
		return 0, errNoData
	}
	n := copy(p, s.in)
	if !peek {
		s.in = s.in[n:]
	}
	return n, nil
}
func (s *socket) writeRaw(_ int, b []byte) (int, error) {
	if s.full {
		return 0, errWouldBlock
	}
	return s.out.Write(b)
}
func (s *socket) shutdown(int) { s.shut = true }

// The socket as a net.Conn, for what the door does not read itself.
func (s *socket) Read(p []byte) (int, error) {
	if len(s.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.in)
	s.in = s.in[n:]
	return n, nil
}
func (s *socket) Write(b []byte) (int, error)      { return s.out.Write(b) }
func (s *socket) Close() error                     { return nil }
func (s *socket) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (s *socket) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (s *socket) SetDeadline(time.Time) error      { return nil }
func (s *socket) SetReadDeadline(time.Time) error  { return nil }
func (s *socket) SetWriteDeadline(time.Time) error { return nil }

// arrivedNow is a connection whose data has just arrived.
type arrivedNow struct{}

func (arrivedNow) arrival() time.Time { return time.Now() }

// admitAll is an admission whose queue stands but whose target no
// request's wait reaches.
func admitAll() *admission {
	a := newAdmission(16, time.Second, time.Second)
	a.queue = newSojournShedder(time.Hour, time.Hour, time.Now)
	a.queue.standing, a.queue.start = true, time.Now().Add(time.Hour)
	a.queue.isStand.Store(true)
	return a
}

// parkedConn is a connection waiting at a request's start on sock.
func parkedConn(a *admission, sock *socket) *frontConn {
	c := &frontConn{Conn: sock, tcp: arrivedNow{}, door: a}
	c.plain(sock)
	c.setUp()
	c.idle.Store(true)
	c.parked = true
	return c
}

const sweepPost = "POST /v1/verify HTTP/1.1\r\nHost: passd\r\nContent-Length: 2\r\n\r\n{}"

func TestSweptAnswersWhatItShedsAndLeavesTheRest(t *testing.T) {
	part := "POST /v1/verify HTTP/1.1\r\nHost: pa"
	sock := &socket{in: []byte(sweepPost + sweepPost + part)}
	c := parkedConn(shedAll(), sock)
	c.swept()
	if got := strings.Count(sock.out.String(), "HTTP/1.1 429 "); got != 2 {
		t.Errorf("answers = %d 429s (%q), want 2", got, sock.out.String())
	}
	if string(sock.in) != part {
		t.Errorf("left on the socket %q, want the request begun %q", sock.in, part)
	}
	if c.r != c.w || c.judged.Load() || sock.shut {
		t.Errorf("buffer %d..%d judged=%v shut=%v, want empty, not judged, open", c.r, c.w, c.judged.Load(), sock.shut)
	}
}

// While a queue stands the door answers the health check too, in its
// place among the requests, as net/http would.
func TestSweptAnswersTheHealthCheck(t *testing.T) {
	a := shedAll()
	a.health = func() []byte { return []byte(`{"status":"ok"}`) }
	get := "GET /healthz HTTP/1.1\r\nHost: passd\r\n\r\n"
	other := "GET /healthz?x=1 HTTP/1.1\r\nHost: passd\r\n\r\n"
	sock := &socket{in: []byte(sweepPost + get + sweepPost + other)}
	c := parkedConn(a, sock)
	c.swept()
	br := bufio.NewReader(&sock.out)
	for i, want := range []int{429, 200, 429} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want || (want == 200 && (string(b) != "{\"status\":\"ok\"}\n" || resp.Header.Get("Content-Type") != "application/json")) {
			t.Fatalf("answer %d = %d %q %v, want %d", i, resp.StatusCode, b, resp.Header, want)
		}
	}
	if br.Buffered() != 0 || string(sock.in) != other {
		t.Errorf("%d bytes more answered; left %q, want the other GET for net/http", br.Buffered(), sock.in)
	}
}

// While no queue stands the sweeper answers the health checks at the
// front of the socket only: the requests after them are net/http's, and
// no POST is judged.
func TestSweptAnswersTheHealthCheckWithoutAQueue(t *testing.T) {
	a := admitAll()
	a.queue.standing = false
	a.queue.isStand.Store(false)
	get := "GET /healthz HTTP/1.1\r\nHost: passd\r\n\r\n"
	rest := sweepPost + get
	sock := &socket{in: []byte(get + get + rest)}
	c := parkedConn(a, sock)
	c.swept()
	if sock.out.Len() != 0 || string(sock.in) != get+get+rest {
		t.Fatalf("answered %q without a health body to answer with, want nothing", sock.out.String())
	}
	a.health = func() []byte { return []byte(`{"status":"ok"}`) }
	c.swept()
	if n := strings.Count(sock.out.String(), "HTTP/1.1 200 OK"); n != 2 || strings.Contains(sock.out.String(), " 429 ") {
		t.Errorf("answers %q, want two health answers and nothing else", sock.out.String())
	}
	if string(sock.in) != rest || c.judged.Load() || a.ahead.Load() != 0 || c.r != c.w {
		t.Errorf("left %q, judged=%v ahead=%d, want %q left and nothing judged", sock.in, c.judged.Load(), a.ahead.Load(), rest)
	}
}

// The sweeper looks before every verification while a queue stands, and
// for the health checks once in healthSweepEvery otherwise.
func TestSweepDue(t *testing.T) {
	a := admitAll()
	if a.sweepDue() {
		t.Fatal("due without a sweeper")
	}
	a.sweep = &sweeper{}
	for i := range 3 {
		if !a.sweepDue() {
			t.Fatalf("look %d: not due while a queue stands", i)
		}
	}
	a.queue.isStand.Store(false)
	if a.sweepDue() {
		t.Fatal("due for the health checks, without a health check to answer")
	}
	a.health = func() []byte { return nil }
	if !a.sweepDue() || a.sweepDue() {
		t.Fatal("want the first look due and the next not")
	}
	a.healthSwept.Add(-int64(healthSweepEvery))
	if !a.sweepDue() {
		t.Fatal("not due healthSweepEvery after the last look")
	}
}

func TestSweptLeavesWhatItAdmits(t *testing.T) {
	a := admitAll()
	sock := &socket{in: []byte(sweepPost + sweepPost)}
	c := parkedConn(a, sock)
	c.swept()
	if sock.out.Len() != 0 || len(sock.in) != 2*len(sweepPost) {
		t.Fatalf("answered %q, left %d bytes; want nothing answered and all left", sock.out.String(), len(sock.in))
	}
	if !c.judged.Load() || a.ahead.Load() != 1 {
		t.Fatalf("judged=%v ahead=%d, want the first request judged and one ahead", c.judged.Load(), a.ahead.Load())
	}
	// The goroutine reads it and hands it on, not judged again: it is no
	// longer ahead, whether or not a handler ever takes the judgement.
	if !c.take(c.writeWait) || c.w-c.r != 2*len(sweepPost) || sock.out.Len() != 0 {
		t.Fatalf("the goroutine's read: buffer %d bytes, answers %q", c.w-c.r, sock.out.String())
	}
	if !c.judged.Load() || a.ahead.Load() != 0 {
		t.Errorf("judged=%v ahead=%d, want it judged and none ahead", c.judged.Load(), a.ahead.Load())
	}
}

// A request the sweeper admits that never reaches a verification (a POST
// to a path with no handler) must not stay ahead: a hundred of them, one
// a connection, would otherwise make every request wait 20 ms in the
// shedder's eyes and shut the service for everyone.
func TestAdmittedWithoutHandlerIsNotAheadForever(t *testing.T) {
	a := admitAll()
	var conns []*frontConn
	for range 100 {
		sock := &socket{in: []byte(strings.Replace(sweepPost, "/v1/verify", "/no-such-path", 1))}
		c := parkedConn(a, sock)
		c.swept()
		c.mu.Lock()
		c.take(c.writeWait) // read; net/http then answers 404 without admission
		c.mu.Unlock()
		conns = append(conns, c)
	}
	if n := a.ahead.Load(); n != 0 {
		t.Fatalf("%d requests ahead after 100 answered without a handler", n)
	}
	// The next request of such a connection is judged afresh.
	c := conns[0]
	c.r, c.w = 0, 0
	c.raw.(*socket).in = []byte(sweepPost)
	a.queue.now = func() time.Time { return time.Now().Add(time.Hour) } // now every wait is long
	c.await()                                                           // the test's socket then has nothing more: "would wait"
	if out := c.raw.(*socket).out.String(); c.r != c.w || !strings.HasPrefix(out, "HTTP/1.1 429 ") {
		t.Errorf("the next POST: buffer %d bytes, answers %q; want it answered 429 at the door", c.w-c.r, out)
	}
}

func TestSweptLeavesAConnectionNotWaiting(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(c *frontConn)
	}{
		{"serving", func(c *frontConn) { c.parked = false }},
		{"closed", func(c *frontConn) { c.closed = true }},
		{"judged", func(c *frontConn) { c.judged.Store(true) }},
	} {
		sock := &socket{in: []byte(sweepPost)}
		c := parkedConn(shedAll(), sock)
		tc.set(c)
		c.swept()
		if sock.out.Len() != 0 || len(sock.in) != len(sweepPost) {
			t.Errorf("%s: answered %q, left %d bytes; want it left alone", tc.name, sock.out.String(), len(sock.in))
		}
	}
}

// A client that reads none of its answers loses its connection, and
// holds up no verification.
func TestSweptShutsAClientThatReadsNothing(t *testing.T) {
	sock := &socket{in: []byte(sweepPost), full: true}
	c := parkedConn(shedAll(), sock)
	c.swept()
	if !sock.shut {
		t.Error("the socket is still open")
	}
}

// The desync the sweeper must not open: the goroutine has read the start
// of a request, cut before its header's end, and has not yet left its
// wait when the sweeper looks. The rest on the socket reads like a
// request of its own; answering it would desync the connection (request
// smuggling).
func TestSweptDoesNotAnswerTheRestOfARequestBegun(t *testing.T) {
	first := "POST /v1/verify HTTP/1.1\r\nHost: passd\r\nX-A: b\r\n"
	rest := "POST /v1/verify HTTP/1.1\r\nHost: passd\r\nContent-Length: 2\r\n\r\n{}"
	sock := &socket{in: []byte(first)}
	c := parkedConn(shedAll(), sock)
	c.mu.Lock()
	if !c.take(c.writeWait) {
		t.Fatal("the goroutine's read did not end its wait")
	}
	c.mu.Unlock()
	sock.in = []byte(rest) // the client's next segment
	c.swept()              // before await marks the connection no longer waiting
	if sock.out.Len() != 0 || string(sock.in) != rest {
		t.Fatalf("the sweeper answered %q and took %d bytes of the request begun", sock.out.String(), len(rest)-len(sock.in))
	}
}

// TestSweeperKeepsEachConnectionInStep has clients send POSTs (whole, or
// cut inside their header) and GETs over loopback while a queue stands
// and the sweeper sweeps without pause beside the connections' own
// goroutines: every POST gets its 429 and every GET its answer, in order,
// on connections that stay open.
func TestSweeperKeepsEachConnectionInStep(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the sweeper is Linux's")
	}
	// Every POST turned away, then every POST admitted: what the sweeper
	// admits waits for its goroutine, and is ahead only until then.
	t.Run("shed", func(t *testing.T) { sweeperInStep(t, shedAll(), 429) })
	t.Run("admitted", func(t *testing.T) { sweeperInStep(t, admitAll(), 200) })
}

func sweeperInStep(t *testing.T, a *admission, postStatus int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newListener(ln, 0, nil, a, t.Logf)
	if l.sweep == nil {
		t.Skip("no epoll here")
	}
	hs := &http.Server{
		Handler: a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.URL.Path)
		})),
		ConnState: connState,
	}
	go hs.Serve(l)
	defer hs.Close()
	stop := make(chan struct{})
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		for {
			select {
			case <-stop:
				return
			default:
				l.sweep.sweep()
				runtime.Gosched()
			}
		}
	}()
	defer func() { close(stop); <-swept }()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for k := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(c)
			for i := range 150 {
				kind := (i + k) % 3
				switch kind {
				case 0:
					io.WriteString(c, sweepPost)
				case 1:
					io.WriteString(c, sweepPost[:30])
					time.Sleep(100 * time.Microsecond)
					io.WriteString(c, sweepPost[30:])
				case 2:
					fmt.Fprintf(c, "GET /get/%d/%d HTTP/1.1\r\nHost: passd\r\n\r\n", k, i)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- fmt.Errorf("connection %d request %d: %v", k, i, err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want, wantBody := postStatus, ""
				if postStatus == 200 {
					wantBody = "/v1/verify"
				}
				if kind == 2 {
					want, wantBody = 200, fmt.Sprintf("/get/%d/%d", k, i)
				}
				if resp.StatusCode != want || (wantBody != "" && string(b) != wantBody) || resp.Close {
					errs <- fmt.Errorf("connection %d request %d (kind %d) = %d %q close=%v, want %d %q", k, i, kind, resp.StatusCode, b, resp.Close, want, wantBody)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("answered at the door: %d, by the sweeper %d", a.doorShed.Load(), a.swept.Load())
	if n := a.ahead.Load(); n != 0 {
		t.Errorf("%d requests still ahead once every one was answered", n)
	}
	if postStatus == 429 && a.doorShed.Load() == 0 {
		t.Error("nothing was answered at the door")
	}
}

// sweepSocket is a connection whose data arrives in chunks, read both as
// a net.Conn and with the door's own calls, with a sweeper looking in
// whenever the reader would wait. The shedder's clock and each look are
// the fuzzer's.
type sweepSocket struct {
	socket
	c      *frontConn
	chunks [][]byte
	ops    []byte
	op     int
	shed   bool // the shedder's clock: every POST waited an hour, or none
}

func (s *sweepSocket) next() byte {
	if len(s.ops) == 0 {
		return 0
	}
	s.op++
	return s.ops[s.op%len(s.ops)]
}

// arrive delivers the next chunk, with the sweeper looking in first or
// after as the fuzzer says, and says whether there was one.
func (s *sweepSocket) arrive() bool {
	if len(s.chunks) == 0 {
		return false
	}
	op := s.next()
	s.shed = op&4 != 0
	// The queue stops standing now and then: the sweeper then answers
	// the health checks only, and the goroutine turns nothing away.
	s.c.door.queue.isStand.Store(op&8 == 0)
	if op&1 != 0 {
		s.c.swept()
	}
	s.in = append(s.in, s.chunks[0]...)
	s.chunks = s.chunks[1:]
	if op&2 != 0 {
		s.c.swept()
	}
	return true
}

func (s *sweepSocket) waitRaw(take func() bool) error {
	for !take() {
		if !s.arrive() {
			return io.EOF
		}
	}
	return nil
}

func (s *sweepSocket) recvRaw(fd int, p []byte, peek bool) (int, error) {
	if len(s.in) == 0 && len(s.chunks) == 0 {
		return 0, nil // the client has gone
	}
	return s.socket.recvRaw(fd, p, peek)
}

func (s *sweepSocket) Read(p []byte) (int, error) {
	for len(s.in) == 0 {
		if !s.arrive() {
			return 0, io.EOF
		}
	}
	n := copy(p, s.in)
	s.in = s.in[n:]
	return n, nil
}

// FuzzSweptTakesOnlyWholeRequests checks the front door with the sweeper
// looking in at any moment the connection's goroutine would wait, and a
// queue standing or not, as the fuzzer says: net/http is handed what the
// client sent, in order, less whole POSTs each answered 429 and health
// checks each answered 200, and nothing else; in particular never the
// rest of a request begun (a desync: request smuggling).
func FuzzSweptTakesOnlyWholeRequests(f *testing.F) {
	f.Add([]byte(sweepPost+sweepPost+"GET / HTTP/1.1\r\nHost: x\r\n\r\n"+sweepPost), []byte{7, 1, 200, 3}, []byte{5, 6, 7, 1})
	f.Add([]byte(sweepPost+"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"+sweepPost+"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), []byte{9, 50, 3}, []byte{5, 7, 1, 3})
	f.Add([]byte("POST /v1/verify HTTP/1.1\r\nHost: passd\r\nX-A: b\r\n"+sweepPost), []byte{5, 10}, []byte{7, 3})
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n"+string(make([]byte, 9000))+sweepPost), []byte{255, 255, 40}, []byte{6})
	f.Fuzz(func(t *testing.T, in, cuts, ops []byte) {
		sock := &sweepSocket{ops: ops, chunks: cutAt(in, cuts)}
		a := newAdmission(16, time.Second, time.Second)
		a.queue = newSojournShedder(time.Millisecond, time.Millisecond, func() time.Time {
			if sock.shed {
				return time.Now().Add(time.Hour)
			}
			return time.Now().Add(-time.Hour)
		})
		a.queue.standing, a.queue.start = true, time.Now().Add(2*time.Hour)
		a.queue.isStand.Store(true)
		a.health = func() []byte { return []byte("{}") }
		fc := &frontConn{Conn: sock, tcp: arrivedNow{}, door: a}
		sock.c = fc
		fc.plain(sock)
		var out []byte
		for i := 0; ; i++ {
			fc.idle.Store(sock.next()%3 != 0)
			p := make([]byte, 1+int(sock.next()))
			n, err := fc.Read(p)
			out = append(out, p[:n]...)
			fc.takeJudged() // the handler's, once a request is in
			if err != nil {
				break
			}
			if i > 1<<20 {
				t.Fatal("no end")
			}
		}
		// What was sent, request by request as net/http reads it: each
		// either handed on whole or answered 429.
		refused, healthy, pos := 0, 0, 0
		for pos < len(in) {
			f := frame(in[pos:])
			if f.n == 0 || f.n > len(in)-pos {
				break // not framed: the rest goes on as it is
			}
			req := in[pos : pos+f.n]
			switch {
			case bytes.HasPrefix(out, req):
				out = out[len(req):]
			case f.post:
				refused++
			case f.health:
				healthy++
			default:
				t.Fatalf("request at %d of %d neither handed on nor answered: %q", pos, len(in), req)
			}
			pos += f.n
		}
		if !bytes.Equal(out, in[pos:]) {
			t.Fatalf("handed on after the whole requests %q, want %q", out, in[pos:])
		}
		if got := strings.Count(sock.out.String(), "HTTP/1.1 429 "); got != refused {
			t.Fatalf("%d answers 429 for %d requests not handed on", got, refused)
		}
		if got := strings.Count(sock.out.String(), "HTTP/1.1 200 "); got != healthy {
			t.Fatalf("%d health answers for %d health checks not handed on", got, healthy)
		}
	})
}

// The wait ahead counts in the time between verifications' ends while
// busy, whatever a handler waited for beside the CPU, and not pauses.
func TestBacklogFromVerificationsEnds(t *testing.T) {
	a := newAdmission(16, time.Second, time.Second)
	now := time.Unix(1e9, 0)
	for range 200 {
		now = now.Add(250 * time.Microsecond)
		a.noteDone(now)
	}
	a.noteDone(now.Add(time.Minute)) // a pause in the load
	a.ahead.Store(8)
	if b := a.backlog(); b < 1900*time.Microsecond || b > 2100*time.Microsecond {
		t.Errorf("backlog of 8 at one end every 250 µs = %v, want about 2 ms", b)
	}
	a.ahead.Store(-1) // never below none
	if b := a.backlog(); b != 0 {
		t.Errorf("backlog = %v, want 0", b)
	}
}

// A connection whose every request the door answers is not idle: net/http,
// still waiting for the first request's header, must not close it at
// that header's deadline (found with health checks every few ms under a
// standing queue: one in a few thousand connections reset).
func TestDoorAnswersKeepTheConnectionOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A queue that stands throughout: its clock stops an hour on, so
	// every request has waited an hour and its interval never ends.
	a := newAdmission(16, time.Second, time.Second)
	later := time.Now().Add(time.Hour)
	a.queue = newSojournShedder(time.Millisecond, 20*time.Millisecond, func() time.Time { return later })
	a.queue.standing, a.queue.start = true, later
	a.queue.isStand.Store(true)
	a.health = func() []byte { return []byte(`{"status":"ok"}`) }
	l := newListener(ln, 0, nil, a, t.Logf)
	hs := &http.Server{
		Handler:           a.wrap(http.NotFoundHandler()),
		ConnContext:       withConn,
		ConnState:         connState,
		ReadHeaderTimeout: 200 * time.Millisecond,
		ReadTimeout:       300 * time.Millisecond,
	}
	go hs.Serve(l)
	defer hs.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	end := time.Now().Add(time.Second)
	for i := 0; time.Now().Before(end); i++ {
		req, want := "GET /healthz HTTP/1.1\r\nHost: passd\r\n\r\n", 200
		if i%2 == 1 {
			req, want = sweepPost, 429
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d, %v after the first: %v", i, time.Since(end.Add(-time.Second)).Round(time.Millisecond), err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("request %d = %d, want %d", i, resp.StatusCode, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
