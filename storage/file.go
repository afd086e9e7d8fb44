package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// checkFile runs SQLite's quick check on an existing ledger file through a
// read-only connection, so a damaged file is never written into (not even
// by the checkpoint a writable connection makes when it closes). It returns
// what is wrong, "" when the file is sound, and an error when the file could
// not be checked at all (permissions, I/O), which is not damage.
func checkFile(path string) (string, error) {
	db, err := sql.Open("sqlite3", "file:"+escapeURIPath(path)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return "", fmt.Errorf("storage: %w", err)
	}
	defer db.Close()
	rows, err := db.Query("PRAGMA quick_check")
	if err != nil {
		return damageOf(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return damageOf(err)
		}
		if s != "ok" && len(problems) < 3 {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return damageOf(err)
	}
	return strings.Join(problems, "; "), nil
}

// damageOf sorts a failed check: SQLITE_NOTADB and SQLITE_CORRUPT mean a
// damaged file; anything else (busy, permission, I/O) is an error to report.
func damageOf(err error) (string, error) {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return se.Error(), nil
	}
	return "", fmt.Errorf("storage: checking the ledger file: %w", err)
}

// escapeURIPath escapes the characters that end or change a file: URI path.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// moveAside renames a damaged ledger file and its -wal and -shm companions
// to <file>.corrupt-<UTC time> and returns the new name.
func moveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	target := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s-%d", base, i)
	}
	for _, suffix := range []string{"-wal", "-shm", ""} {
		err := os.Rename(path+suffix, target+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("storage: moving the damaged ledger aside: %w", err)
		}
	}
	syncDir(filepath.Dir(path))
	return target, nil
}

// syncDir makes renames and creations in dir durable; a failure only loses
// durability of the name, which the next open notices.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
