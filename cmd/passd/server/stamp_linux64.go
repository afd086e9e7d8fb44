//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || loong64 || s390x)

package server

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stamp turns on the kernel's receive timestamps (SO_TIMESTAMPNS) for a
// TCP connection and returns a connection that reads with recvmsg and
// keeps the timestamp of the newest data read. A connection where that
// fails is returned as it is.
func stamp(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return c
	}
	s := &stampConn{TCPConn: tc, rc: rc}
	s.write = s.writeRaw
	return s
}

// stampConn reads a TCP connection with recvmsg to learn when the data
// arrived.
type stampConn struct {
	*net.TCPConn
	rc      syscall.RawConn
	oob     [64]byte
	arrived atomic.Int64 // Unix nanoseconds; 0 until known
	// fd and write are readRefusing's: the socket while its read
	// callback runs, and writeRaw, bound once.
	fd    int
	write func([]byte) error
}

func (c *stampConn) arrival() time.Time {
	if ns := c.arrived.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Read reads like net.TCPConn.Read (deadlines included: RawConn.Read
// waits through the poller) and notes the receive time of the data.
func (c *stampConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n, oobn int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), p, c.oob[:], 0)
			if rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	if err == nil && rerr != nil {
		err = os.NewSyscallError("recvmsg", rerr)
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
	c.note(oobn)
	return n, nil
}

// note keeps the receive time in the first oobn bytes of c.oob.
func (c *stampConn) note(oobn int) {
	ns := receiveTime(c.oob[:oobn])
	if ns == 0 {
		// Data queued before any socket of the machine asked for stamps
		// has none: it arrived no later than now.
		ns = time.Now().UnixNano()
	}
	c.arrived.Store(ns)
}

// readRefusing is rawReader's: see there. Waiting without a read after
// refuse has answered everything loses no data: RawConn.Read cleared the
// socket's readiness before the first read, so whatever arrives after
// that read (the client's next request, sent once it has the answer)
// marks it ready again, and a read that filled buf is followed by
// another at once.
func (c *stampConn) readRefusing(buf []byte, refuse func(n int, write func([]byte) error) (int, error)) (used, n int, err error) {
	var rerr error
	err = c.rc.Read(func(fd uintptr) bool {
		c.fd = int(fd)
		for {
			m, oobn, _, _, e := unix.Recvmsg(int(fd), buf, c.oob[:], 0)
			switch {
			case e == unix.EINTR:
				continue
			case e == unix.EAGAIN:
				return false
			case e != nil:
				rerr = os.NewSyscallError("recvmsg", e)
				return true
			case m == 0:
				rerr = io.EOF
				return true
			}
			c.note(oobn)
			u, werr := refuse(m, c.write)
			if werr != nil {
				rerr = werr
				return true
			}
			if u < m {
				used, n = u, m
				return true
			}
			if m < len(buf) {
				return false
			}
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil && used == n {
		return 0, 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	return used, n, nil
}

// writeRaw writes b to the socket of the read callback under way,
// without the poller; when the socket's buffer is full the rest goes the
// usual way, under a deadline.
func (c *stampConn) writeRaw(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(c.fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			c.TCPConn.SetWriteDeadline(time.Now().Add(time.Second))
			_, err = c.TCPConn.Write(b)
			return err
		case err != nil:
			return os.NewSyscallError("write", err)
		}
		b = b[n:]
	}
	return nil
}

// stampListener turns on receive timestamps on a TCP listener, so that
// the kernel stamps data from the first request on and accepted
// connections inherit the option.
func stampListener(ln net.Listener) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return
	}
	if rc, err := tl.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		})
	}
}

// receiveTime finds the SCM_TIMESTAMPNS control message in b and returns
// its time in Unix nanoseconds, or 0.
func receiveTime(b []byte) int64 {
	hdr := unix.CmsgLen(0)
	for len(b) >= hdr {
		// struct cmsghdr and struct timespec of a 64-bit Linux.
		n := int(binary.NativeEndian.Uint64(b[0:8]))
		level := int32(binary.NativeEndian.Uint32(b[8:12]))
		typ := int32(binary.NativeEndian.Uint32(b[12:16]))
		if n < hdr || n > len(b) {
			return 0
		}
		if level == unix.SOL_SOCKET && typ == unix.SCM_TIMESTAMPNS && n-hdr >= 16 {
			d := b[hdr:]
			sec := int64(binary.NativeEndian.Uint64(d[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(d[8:16]))
			return sec*1e9 + nsec
		}
		b = b[min(len(b), unix.CmsgSpace(n-hdr)):]
	}
	return 0
}
