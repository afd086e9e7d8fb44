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
	"unsafe"

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
	return &stampConn{TCPConn: tc, rc: rc}
}

// stampConn reads a TCP connection with recvmsg to learn when the data
// arrived.
type stampConn struct {
	*net.TCPConn
	rc      syscall.RawConn
	oob     [64]byte
	msg     unix.Msghdr // recvmsg's, kept here so that a read allocates nothing
	iov     unix.Iovec
	arrived atomic.Int64 // Unix nanoseconds; 0 until known
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
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, rerr = c.recvRaw(int(fd), p, false)
		return rerr != errNoData
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
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

// waitRaw is rawReader's: see there. Deadlines are Read's: RawConn.Read
// waits through the poller.
func (c *stampConn) waitRaw(take func() bool) error {
	return c.rc.Read(func(uintptr) bool { return take() })
}

// sysfd is the socket, for system calls of the front door's own.
func (c *stampConn) sysfd() int {
	fd := -1
	c.rc.Control(func(s uintptr) { fd = int(s) })
	return fd
}

// recvRaw is rawReader's: see there.
func (c *stampConn) recvRaw(fd int, p []byte, peek bool) (int, error) {
	flags := 0
	if peek {
		flags = unix.MSG_PEEK
	}
	for {
		n, oobn, err := c.recvmsg(fd, p, flags)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, errNoData
		case err != nil:
			return 0, os.NewSyscallError("recvmsg", err)
		}
		if n > 0 {
			c.note(oobn)
		}
		return n, nil
	}
}

// writeRaw is rawReader's: see there.
func (c *stampConn) writeRaw(fd int, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
		switch {
		case e == unix.EINTR:
			continue
		case e == unix.EAGAIN:
			return n, errWouldBlock
		case e != 0:
			return n, os.NewSyscallError("write", e)
		}
		n += int(r)
	}
	return n, nil
}

// shutdown ends the socket both ways, waking whoever waits on it.
func (c *stampConn) shutdown(fd int) { unix.Shutdown(fd, unix.SHUT_RDWR) }

// recvmsg reads p and the control messages into c.oob from the socket
// fd, which is non-blocking: it returns at once, with EAGAIN when there
// is nothing to read. It is a raw system call: the scheduler is not told,
// as for a call that may block, so a read neither costs the hand-off of
// the only processor under GOMAXPROCS=1 nor risks one when it is slow.
func (c *stampConn) recvmsg(fd int, p []byte, flags int) (n, oobn int, err error) {
	c.iov.Base = &p[0]
	c.iov.SetLen(len(p))
	c.msg.Iov = &c.iov
	c.msg.Iovlen = 1
	c.msg.Control = &c.oob[0]
	c.msg.SetControllen(len(c.oob))
	r, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&c.msg)), uintptr(flags))
	c.iov.Base, c.msg.Iov, c.msg.Control = nil, nil, nil
	if e != 0 {
		return 0, 0, e
	}
	return int(r), int(c.msg.Controllen), nil
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
