package authority

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"passdesk/cmd/passd/store"
	"passdesk/cmd/passd/store/sqlite"
)

// ownerOnlyDir makes dir, and sets it mode 0700 whether it existed or
// not, whatever the umask: it holds the signing keys and the database.
func ownerOnlyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make %s private: %w", dir, err)
	}
	return nil
}

// IsPostgresURL says whether db names a PostgreSQL database.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the database db ("" for dir's SQLite file).
func openStore(dir, db string) (store.Store, error) {
	switch {
	case db == "":
		return sqlite.Open(filepath.Join(dir, dbFile))
	case IsPostgresURL(db):
		return openPostgres(dir, db)
	default:
		return nil, fmt.Errorf("--db %q is not a postgres:// URL", db)
	}
}
