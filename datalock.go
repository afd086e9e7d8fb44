package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"passdesk/app"
)

// lockName is the file in the data directory a kiosk holds while it runs.
const lockName = "kiosk.lock"

// lockData takes the kiosk's hold on its data directory: one kiosk (the
// window or `run --headless`) a directory at a time. Two would both
// record and upload visitors, and each would end the other's outage as
// one a stopped kiosk left open. The hold is a lock on the open file, so
// the system lets go of it when the process ends, killed or not; the
// file keeps the holder's process ID for the message. The ledger
// commands and doctor do not take it: they read, or write one thing, as
// SQLite allows beside a running kiosk. A file system that cannot lock
// (ENOLCK, as some network shares) leaves the kiosk unguarded rather
// than shut.
func lockData(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errLedger, err)
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	switch {
	case errors.Is(err, unix.EWOULDBLOCK):
		defer f.Close()
		holder := "unknown"
		if pid, ok := holderPID(f.Name()); ok {
			holder = strconv.Itoa(pid)
		}
		return nil, &app.StartError{Problem: app.StartRunning,
			Err: fmt.Errorf("another PassDesk (process %s) is using the data directory %s", holder, dir)}
	case errors.Is(err, unix.ENOLCK) || errors.Is(err, unix.EOPNOTSUPP):
		return f, nil
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// unlockData lets go of the hold lockData took, first clearing the
// process ID, which dataHolder would otherwise still name while this
// process lives on (the window reopens the kiosk after a settings change).
func unlockData(f *os.File) error {
	_ = f.Truncate(0)
	return f.Close()
}

// dataHolder returns the process that holds dir for a kiosk, if one is
// running: the ID the lock file keeps, when that process is alive and
// is PassDesk. It only reads, so a kiosk starting meanwhile is never in
// its way (taking the lock, even for a moment, would be).
func dataHolder(dir string) (pid int, ok bool) {
	pid, ok = holderPID(filepath.Join(dir, lockName))
	if !ok {
		return 0, false
	}
	if err := unix.Kill(pid, 0); err != nil && !errors.Is(err, unix.EPERM) {
		return 0, false // gone: the file outlives a killed kiosk
	}
	self, err1 := os.Executable()
	exe, err2 := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err1 != nil || err2 != nil {
		return pid, true // alive; which program it runs cannot be told
	}
	return pid, filepath.Base(exe) == filepath.Base(self)
}

// holderPID is the process ID the lock file at path keeps; false when it
// keeps none (no kiosk has held it, or the last one closed).
func holderPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	return pid, err == nil && pid > 0
}
