//go:build !(linux && (amd64 || arm64 || riscv64 || ppc64le || loong64 || s390x))

package server

// sweeper is Linux's (epoll): elsewhere connections are read as the Go
// scheduler gets to them.
type sweeper struct{}

func newSweeper() *sweeper        { return nil }
func (s *sweeper) add(*frontConn) {}
func (s *sweeper) remove(uint64)  {}
func (s *sweeper) sweep()         {}
func (s *sweeper) close()         {}
