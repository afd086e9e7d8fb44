//go:build !(linux && (amd64 || arm64 || riscv64 || ppc64le || loong64 || s390x))

package server

import "net"

// stamp returns c as it is: receive timestamps are read on 64-bit Linux
// only, and elsewhere admission has the in-flight limit alone.
func stamp(c net.Conn) net.Conn { return c }

// stampListener does nothing where connections are not stamped.
func stampListener(net.Listener) {}
