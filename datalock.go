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
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		holder := string(bytes.TrimSpace(b[:n]))
		if _, err := strconv.Atoi(holder); err != nil {
			holder = "unknown"
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
