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
// what is wrong, "" when the file is sound, whether the file holds a ledger
// (its schema; a first start killed before its schema was committed leaves
// a file without one), and an error when the file could not be checked at
// all (permissions, I/O), which is not damage.
//
// A hot rollback journal (a kill during the first start's switch to WAL)
// must be rolled back before the file can be read, which a read-only
// connection cannot do: when recover is set, a writable connection rolls it
// back first, as any SQLite open would, and the check runs after it.
func checkFile(path string, recover bool) (damage string, born bool, err error) {
	damage, born, err = quickCheck(path)
	if err == nil || !hotJournal(path, err) {
		return damage, born, err
	}
	if !recover {
		return "", false, fmt.Errorf("storage: %s has an unfinished write to roll back: start the kiosk once to recover it", path)
	}
	if err := rollBack(path); err != nil {
		return "", false, err
	}
	return quickCheck(path)
}

func quickCheck(path string) (string, bool, error) {
	db, err := sql.Open("sqlite3", "file:"+escapeURIPath(path)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return "", false, fmt.Errorf("storage: %w", err)
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
	if len(problems) > 0 {
		return strings.Join(problems, "; "), true, nil
	}
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'`).Scan(&tables); err != nil {
		return damageOf(err)
	}
	return "", tables > 0, nil
}

// hotJournal reports whether err is a read-only connection refusing a
// file whose rollback journal is left over.
func hotJournal(path string, err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrReadonly {
		return false
	}
	st, serr := os.Stat(path + "-journal")
	return serr == nil && st.Size() > 0
}

// rollBack lets SQLite roll a hot journal back: the first read on a
// writable connection does it, restoring the file as it was before the
// unfinished transaction.
func rollBack(path string) error {
	db, err := sql.Open("sqlite3", "file:"+escapeURIPath(path)+"?mode=rw&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		if d, _, derr := damageOf(err); derr == nil {
			return fmt.Errorf("storage: rolling back the unfinished write: %w (%s)", ErrCorrupt, d)
		}
		return fmt.Errorf("storage: rolling back the unfinished write: %w", err)
	}
	return nil
}

// removeStaleKeyFiles removes the temporary files of a key write that a
// kill interrupted: a key is in use only once renamed into place.
func removeStaleKeyFiles(dir string) {
	for _, k := range []string{PhoneKey, VenueKey} {
		names, _ := filepath.Glob(filepath.Join(dir, k+".new-*"))
		for _, n := range names {
			_ = os.Remove(n)
		}
	}
}

// damageOf sorts a failed check: SQLITE_NOTADB and SQLITE_CORRUPT mean a
// damaged file; anything else (busy, permission, I/O) is an error to report.
func damageOf(err error) (string, bool, error) {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return se.Error(), true, nil
	}
	return "", false, fmt.Errorf("storage: checking the ledger file: %w", err)
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
