//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || loong64 || s390x)

package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkDoorRefusal measures what a refusal at the front door costs
// the service: the CPU time of the thread that runs the door over a real
// loopback connection (the read, the framing, the shed decision and the
// write, which on loopback delivers the answer to the client inside the
// system call), per refusal, as server-µs/op. The client's own work runs
// on other threads and is not counted. The thread sleeps and wakes at
// each wait, which a busy service's does not: an upper bound.
//
// "one wait" answers inside the read's wait for data (plain TCP);
// "read again" reads through the connection and reads again after each
// answer, as under TLS.
func BenchmarkDoorRefusal(b *testing.B) {
	b.Run("one wait", func(b *testing.B) { benchDoor(b, true) })
	b.Run("read again", func(b *testing.B) { benchDoor(b, false) })
}

func benchDoor(b *testing.B, raw bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	stampListener(ln)
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	sc, ok := stamp(c).(*stampConn)
	if !ok {
		b.Skip("no receive timestamps here")
	}
	a := shedAll()
	fc := &frontConn{Conn: sc, tcp: sc, door: a}
	if raw {
		fc.plain(sc)
	}
	fc.idle.Store(true)

	req := []byte("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 460\r\n\r\n" +
		string(make([]byte, 460)))
	answer := make([]byte, len(a.raw.answer()))
	cpu := make(chan time.Duration)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := threadCPU()
		fc.Read(make([]byte, 4096)) // refuses until the client goes
		cpu <- threadCPU() - start
	}()
	b.ResetTimer()
	for range b.N {
		if _, err := client.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, answer); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	client.Close()
	used := <-cpu
	if n := a.doorShed.Load(); n != int64(b.N) {
		b.Fatalf("%d refused at the door, want %d", n, b.N)
	}
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "server-µs/op")
}

// threadCPU is the calling thread's CPU time, user and system.
func threadCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRefusal measures a 429 through the whole service stack, with
// the front door and without it (the refusal then made in the handler,
// after net/http has read the request): the process's CPU time less the
// client's own thread, per refusal, as server-µs/op.
//
// "sweeper" is the front door with the client sweeping once its request
// is sent, as a verification would (the sweep's own CPU counts as the
// service's); swept/op is the share of refusals the sweeper answered,
// the rest answered by the connection's goroutine, which got there first.
func BenchmarkRefusal(b *testing.B) {
	b.Run("front door", func(b *testing.B) { benchRefusal(b, true, false) })
	b.Run("sweeper", func(b *testing.B) { benchRefusal(b, true, true) })
	b.Run("net/http", func(b *testing.B) { benchRefusal(b, false, false) })
}

func benchRefusal(b *testing.B, door, sweep bool) {
	a := shedAll()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var ln net.Listener = stampOnly{tcp.(*net.TCPListener)}
	var sw *sweeper
	if door {
		l := newListener(tcp, 0, nil, a, nil)
		ln, sw = l, l.sweep
	}
	if sweep && sw == nil {
		b.Skip("no epoll here")
	}
	var sweepCPU time.Duration
	hs := &http.Server{Handler: a.wrap(http.NotFoundHandler()), ConnContext: withConn, ConnState: connState}
	go hs.Serve(ln)
	defer hs.Close()

	req := []byte("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 460\r\n\r\n" +
		string(make([]byte, 460)))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	ask := func() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if sweep {
			t := threadCPU()
			sw.sweep()
			sweepCPU += threadCPU() - t
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			b.Fatalf("answer %d, want 429", resp.StatusCode)
		}
	}
	for range 100 { // warm up: connection, buffers, goroutines
		ask()
	}
	proc, own, swept := processCPU(), threadCPU(), a.swept.Load()
	sweepCPU = 0
	b.ResetTimer()
	for range b.N {
		ask()
	}
	b.StopTimer()
	used := processCPU() - proc - (threadCPU() - own) + sweepCPU
	b.ReportMetric(float64(used.Nanoseconds())/1e3/float64(b.N), "server-µs/op")
	if sweep {
		b.ReportMetric(float64(a.swept.Load()-swept)/float64(b.N), "swept/op")
	}
	if door && a.doorShed.Load() < int64(b.N) {
		b.Fatalf("%d refused at the door, want %d", a.doorShed.Load(), b.N)
	}
}

// stampOnly is a listener whose connections are stamped, with no door:
// the service as it was before the front door.
type stampOnly struct{ *net.TCPListener }

func (l stampOnly) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	if err != nil {
		return nil, err
	}
	return stamp(c), nil
}

// processCPU is the process's CPU time, user and system.
func processCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// shedAll is an admission whose queue stands and whose every request has
// waited an hour.
func shedAll() *admission {
	a := newAdmission(16, time.Second, time.Second)
	later := func() time.Time { return time.Now().Add(time.Hour) }
	a.queue = newSojournShedder(time.Millisecond, 20*time.Millisecond, later)
	a.queue.standing, a.queue.start = true, later()
	a.queue.isStand.Store(true)
	return a
}
