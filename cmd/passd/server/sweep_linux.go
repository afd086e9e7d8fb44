//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || loong64 || s390x)

package server

import (
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// sweeper lets the service look at its waiting connections between
// verifications. With GOMAXPROCS=1 the Go scheduler asks the kernel which
// connections have data only when it has nothing else to run, so under
// load a request waits for every verification ahead of it in the
// scheduler's round before it is even read, and a refusal takes as long
// as the round. The sweeper keeps its own epoll set of the plain TCP
// connections: each POST admitted first asks it, without waiting, which
// of them have data, and the front door answers their refusals then
// (frontConn.swept). A request it admits stays on the connection's
// socket for its own goroutine, which the Go poller still wakes.
type sweeper struct {
	ep     int
	busy   atomic.Bool // a sweep is under way, or the sweeper is closed
	ev     [128]unix.EpollEvent
	closer sync.Once

	mu    sync.Mutex
	conns map[uint64]*frontConn
	last  uint64
}

func newSweeper() *sweeper {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	return &sweeper{ep: ep, conns: make(map[uint64]*frontConn)}
}

// add watches c's socket; closing the socket takes it off the set.
func (s *sweeper) add(c *frontConn) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.last++
	id := s.last
	s.conns[id] = c
	s.mu.Unlock()
	// Edge-triggered: each arrival once, as the Go poller has it; the
	// connection's goroutine reads whatever the sweeper leaves.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	if err := unix.EpollCtl(s.ep, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		s.remove(id)
		return
	}
	c.sw, c.swID = s, id
}

func (s *sweeper) remove(id uint64) {
	s.mu.Lock()
	delete(s.conns, id)
	s.mu.Unlock()
}

// sweep lets the front door read the connections that have data since
// the last sweep, without waiting; a sweep under way elsewhere is enough.
func (s *sweeper) sweep() {
	if s == nil || !s.busy.CompareAndSwap(false, true) {
		return
	}
	defer s.busy.Store(false)
	n, err := unix.EpollWait(s.ep, s.ev[:], 0)
	if err != nil {
		return
	}
	for i := range n {
		id := uint64(uint32(s.ev[i].Fd)) | uint64(uint32(s.ev[i].Pad))<<32
		s.mu.Lock()
		c := s.conns[id]
		s.mu.Unlock()
		if c != nil {
			c.swept()
		}
	}
}

// close closes the epoll set once no sweep is under way; later sweeps do
// nothing. (Its descriptor must not be used once closed: the number may
// by then be another epoll set's, the Go poller's own.)
func (s *sweeper) close() {
	if s == nil {
		return
	}
	s.closer.Do(func() {
		for !s.busy.CompareAndSwap(false, true) {
			runtime.Gosched()
		}
		unix.Close(s.ep)
	})
}
