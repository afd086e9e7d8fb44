// Package sqlite is passd's store.Store in one SQLite file (WAL,
// synchronous=FULL): the default, for one node. The file and its WAL and
// shared-memory files are readable by their owner only.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"

	"passdesk/cmd/passd/store"
)

// ErrNotFound is store.ErrNotFound.
var ErrNotFound = store.ErrNotFound

var _ store.Store = (*Store)(nil)

// Store is an open passd database. It is safe for concurrent use, and
// several processes (passd serve and the passd CLI) may share one file.
type Store struct {
	db *sql.DB
}

// Open opens (creating when needed) the database at path and brings its
// schema up to date. The file is made, or made again, mode 0600: it holds
// names, birth years and the demo holders' private keys. SQLite gives its
// WAL and shared-memory files the database file's mode.
func Open(path string) (*Store, error) {
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	s := &Store{db: db}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// ownerOnly creates path empty with mode 0600 when it does not exist, and
// sets 0600 on it and on its -wal and -shm files when they do, whatever
// the umask.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// schema is applied in order; user_version counts the steps applied.
var schema = []string{
	`CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value INTEGER NOT NULL
	);
	INSERT INTO meta (key, value) VALUES ('tl_seq', 1), ('rl_seq', 1);
	CREATE TABLE issuer_keys (
		kid     BLOB PRIMARY KEY,
		iss     TEXT NOT NULL,
		pub     BLOB NOT NULL,
		nbf     INTEGER NOT NULL,
		exp     INTEGER NOT NULL,
		created INTEGER NOT NULL,
		current INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE holders (
		sub        BLOB PRIMARY KEY,
		holder_pub BLOB NOT NULL UNIQUE,
		name       TEXT NOT NULL,
		birth_year INTEGER NOT NULL,
		status     INTEGER NOT NULL,
		created    INTEGER NOT NULL
	);
	CREATE TABLE credentials (
		cid        BLOB PRIMARY KEY,
		sub        BLOB NOT NULL REFERENCES holders(sub),
		kid        BLOB NOT NULL,
		nbf        INTEGER NOT NULL,
		exp        INTEGER NOT NULL,
		credential BLOB NOT NULL,
		issued     INTEGER NOT NULL
	);
	CREATE INDEX credentials_sub ON credentials(sub);
	CREATE TABLE revocations (
		cid     BLOB PRIMARY KEY,
		revoked INTEGER NOT NULL,
		note    TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE kiosks (
		venue_id   TEXT NOT NULL,
		kiosk_id   TEXT NOT NULL,
		first_seen INTEGER NOT NULL,
		last_seen  INTEGER NOT NULL,
		PRIMARY KEY (venue_id, kiosk_id)
	);
	CREATE TABLE entries (
		venue_id      TEXT NOT NULL,
		kiosk_id      TEXT NOT NULL,
		id            TEXT NOT NULL,
		time          INTEGER NOT NULL,
		outcome       TEXT NOT NULL,
		method        TEXT NOT NULL,
		reason        TEXT NOT NULL,
		scheme        TEXT NOT NULL,
		issuer        TEXT NOT NULL,
		status        INTEGER NOT NULL,
		cid           BLOB,
		manual_reason TEXT NOT NULL,
		outage_id     INTEGER NOT NULL,
		received      INTEGER NOT NULL,
		PRIMARY KEY (venue_id, kiosk_id, id)
	);
	CREATE TABLE demo_holders (
		label       TEXT PRIMARY KEY,
		kind        TEXT NOT NULL,
		holder_seed BLOB NOT NULL,
		cid         BLOB NOT NULL REFERENCES credentials(cid),
		created     INTEGER NOT NULL
	);`,
	`INSERT INTO meta (key, value) VALUES ('tok_seq', 1);
	CREATE TABLE tokens (
		id       TEXT PRIMARY KEY,
		hash     BLOB NOT NULL UNIQUE,
		kind     TEXT NOT NULL,
		venue_id TEXT NOT NULL DEFAULT '',
		kiosk_id TEXT NOT NULL DEFAULT '',
		name     TEXT NOT NULL DEFAULT '',
		created  INTEGER NOT NULL,
		revoked  INTEGER NOT NULL DEFAULT 0
	);`,
}

func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(schema) {
		return fmt.Errorf("database schema version %d is newer than this passd (%d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, schema[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("schema step %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in a write transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// bumpSeq increments the named list sequence inside tx.
func bumpSeq(ctx context.Context, tx *sql.Tx, key string) error {
	_, err := tx.ExecContext(ctx, "UPDATE meta SET value = value + 1 WHERE key = ?", key)
	return err
}

// Seqs returns the current trust list and revocation list sequence numbers.
func (s *Store) Seqs(ctx context.Context) (tl, rl uint64, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT key, value FROM meta WHERE key IN ('tl_seq', 'rl_seq')")
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v uint64
		if err := rows.Scan(&k, &v); err != nil {
			return 0, 0, err
		}
		if k == "tl_seq" {
			tl = v
		} else {
			rl = v
		}
	}
	return tl, rl, rows.Err()
}

// BumpTrustListSeq increments the trust list sequence and returns it.
func (s *Store) BumpTrustListSeq(ctx context.Context) (uint64, error) {
	return s.bumpAndRead(ctx, "tl_seq")
}

// BumpRevocationSeq increments the revocation list sequence and returns it.
func (s *Store) BumpRevocationSeq(ctx context.Context) (uint64, error) {
	return s.bumpAndRead(ctx, "rl_seq")
}

func (s *Store) bumpAndRead(ctx context.Context, key string) (uint64, error) {
	var v uint64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := bumpSeq(ctx, tx, key); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	})
	return v, err
}
