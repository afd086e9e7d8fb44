package storage

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// The ledger keeps a little disk space in reserve, as a file of zeros next
// to it: a kiosk restarted while the disk is full cannot open SQLite's
// shared-memory index without some space, and then nobody could even sign
// in. Open removes the reserve when the disk is full and makes it again
// once there is room.
const (
	ReserveFile = "ledger.reserve"
	reserveSize = 256 << 10 // the shared-memory index (32 KiB) and dozens of WAL frames
	// The reserve is made only where it leaves this much free, so that
	// making it never fills a disk.
	reserveHeadroom = 8 * reserveSize
)

// releaseReserve removes the reserve and reports whether there was one.
func releaseReserve(dir string) bool {
	err := os.Remove(filepath.Join(dir, ReserveFile))
	if err == nil {
		syncDir(dir)
	}
	return err == nil
}

// keepReserve makes the reserve when it is missing or short and the disk
// has room for it; failing to is no error (it is a cushion, not a need).
func keepReserve(dir string) {
	path := filepath.Join(dir, ReserveFile)
	if st, err := os.Stat(path); err == nil && st.Size() >= reserveSize {
		return
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return
	}
	var fs syscall.Statfs_t
	if syscall.Statfs(dir, &fs) != nil || int64(fs.Bavail)*int64(fs.Bsize) < reserveSize+reserveHeadroom {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	// Zeros written, not a sparse file: the blocks must really be taken
	// (a write takes them; durability does not matter here).
	_, err = f.Write(make([]byte, reserveSize))
	if cerr := f.Close(); err != nil || cerr != nil {
		os.Remove(path)
	}
}
