// Package store is passd's SQLite state: issuer key metadata, holders and
// their credentials, revocations, the central entries register, kiosks and
// the demo holders' keys, plus the sequence numbers of the signed lists.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open passd database. It is safe for concurrent use, and
// several processes (passd serve and the passd CLI) may share one file.
type Store struct {
	db *sql.DB
}

// Open opens (creating when needed) the database at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
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
// They grow on every change, so a reader polls them to notice changes made
// by another process.
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

// BumpTrustListSeq increments the trust list sequence (a re-signing) and
// returns the new value.
func (s *Store) BumpTrustListSeq(ctx context.Context) (uint64, error) {
	return s.bumpAndRead(ctx, "tl_seq")
}

// BumpRevocationSeq increments the revocation list sequence and returns the
// new value.
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
