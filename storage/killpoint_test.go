//go:build linux && amd64

package storage_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// Syscall numbers (linux/amd64) of the calls that change files: a kill
// just before any of them is a state the disk can be left in.
var fileSyscalls = map[uint64]string{
	1: "write", 18: "pwrite64", 20: "writev", 296: "pwritev", 328: "pwritev2",
	74: "fsync", 75: "fdatasync", 77: "ftruncate", 285: "fallocate",
	82: "rename", 264: "renameat", 316: "renameat2",
	87: "unlink", 263: "unlinkat", 83: "mkdir", 258: "mkdirat",
	91: "fchmod", 268: "fchmodat", 2: "open", 257: "openat",
}

const (
	ptraceOExitKill = 0x100000 // PTRACE_O_EXITKILL: the child dies with its tracer
	sysGood         = syscall.SIGTRAP | 0x80
	oWriteFlags     = syscall.O_CREAT | syscall.O_WRONLY | syscall.O_RDWR | syscall.O_TRUNC
)

// fileEvent reports whether a syscall entry with these registers changes a
// file: a write to a file (not stdout or stderr), an fsync, a rename, an
// unlink, a creation, a truncation, an open for writing.
func fileEvent(r *syscall.PtraceRegs) (string, bool) {
	name, ok := fileSyscalls[r.Orig_rax]
	if !ok {
		return "", false
	}
	switch name {
	case "write", "pwrite64", "writev", "pwritev", "pwritev2":
		return name, int(r.Rdi) > 2
	case "open":
		return name, r.Rsi&oWriteFlags != 0
	case "openat":
		return name, r.Rdx&oWriteFlags != 0
	}
	return name, true
}

// runKilledAt runs cmd under ptrace and kills it with SIGKILL when one of
// its threads is about to make its n-th file-changing syscall (counted from
// 1), before that syscall runs. With n <= 0 it runs to the end. It returns
// how many file events the child reached, the name of the one it was
// killed at, and whether the kill happened. cmd must not have been started
// and must have no pipes that need Wait (use files for its output).
func runKilledAt(cmd *exec.Cmd, n int) (events int, at string, killed bool, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Ptrace = true
	if err := cmd.Start(); err != nil {
		return 0, "", false, err
	}
	pid := cmd.Process.Pid
	defer cmd.Process.Release()
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
		return 0, "", false, err
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACECLONE|syscall.PTRACE_O_TRACESYSGOOD|ptraceOExitKill); err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		return 0, "", false, fmt.Errorf("ptrace options: %w", err)
	}
	inSyscall := map[int]bool{}
	resume := func(tid, sig int) {
		// A thread that died meanwhile (the kill) cannot be resumed; its
		// exit is reaped below.
		_ = syscall.PtraceSyscall(tid, sig)
	}
	resume(pid, 0)
	for {
		tid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return events, at, killed, err
		}
		switch {
		case ws.Exited() || ws.Signaled():
			delete(inSyscall, tid)
			if tid == pid {
				if !killed && ws.Signaled() {
					return events, at, killed, fmt.Errorf("the child died of %v", ws.Signal())
				}
				if !killed && ws.ExitStatus() != 0 {
					return events, at, killed, fmt.Errorf("the child exited with status %d", ws.ExitStatus())
				}
				return events, at, killed, nil
			}
		case !ws.Stopped():
		case ws.StopSignal() == sysGood:
			entering := !inSyscall[tid]
			inSyscall[tid] = entering
			if entering && !killed {
				var regs syscall.PtraceRegs
				if syscall.PtraceGetRegs(tid, &regs) == nil {
					if name, ok := fileEvent(&regs); ok {
						events++
						if events == n {
							// The thread stays stopped at the syscall's
							// entry: the call never runs.
							at, killed = name, true
							syscall.Kill(pid, syscall.SIGKILL)
							continue
						}
					}
				}
			}
			resume(tid, 0)
		case ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() > 0:
			// A clone, exec or exit event: the new thread is traced too.
			resume(tid, 0)
		case ws.StopSignal() == syscall.SIGSTOP:
			// A new thread starts with SIGSTOP: swallow it.
			resume(tid, 0)
		default:
			// Go's own signals (preemption, SIGPIPE...) go through.
			resume(tid, int(ws.StopSignal()))
		}
	}
}

// helperCmd re-runs this test binary as a child that runs only the named
// test, with env added to its environment and its stderr into errFile.
func helperCmd(test string, errFile *os.File, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = errFile
	return cmd
}
