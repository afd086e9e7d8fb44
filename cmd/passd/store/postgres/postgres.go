// Package postgres is passd's store.Store in PostgreSQL, through pgx, for
// several passd nodes sharing one database: the same tables as the SQLite
// adapter, plus the shared one-time-use set of presentations
// (store.Presentations). Errors of the link itself (down, unreachable,
// shutting down) wrap store.ErrUnavailable.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"passdesk/cmd/passd/store"
)

var (
	_ store.Store         = (*Store)(nil)
	_ store.Presentations = (*Store)(nil)
)

// Store is an open PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database at url (postgres://...) and brings its
// schema up to date; several nodes may start at once. A database that
// cannot be reached at start is an error: a node never starts without
// having read its state once.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 2*time.Second {
		cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	cfg.HealthCheckPeriod = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL %s: %w", redact(cfg), err)
	}
	return s, nil
}

func redact(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// wrap marks errors of the link as store.ErrUnavailable.
func wrap(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrConflict) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "57P"):
			return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
		}
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, pgx.ErrTxClosed) {
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
}

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// inTx runs fn in a transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return wrap(pgx.BeginFunc(ctx, s.pool, fn))
}

// migrationLock is the advisory lock two nodes starting at once take, so
// that each schema step runs once.
const migrationLock = 0x70617373 // "pass"

// schema is applied in order; schema_version counts the steps applied.
// The one-time-use set is UNLOGGED: a claim lives 20 seconds, so it is not
// worth a WAL flush per admitted presentation (that cost five times the
// throughput); a database crash forgets at most those 20 seconds, which
// each node's own set still covers for its kiosks.
var schema = []string{
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
	INSERT INTO meta (key, value) VALUES ('tl_seq', 1), ('rl_seq', 1), ('tok_seq', 1);
	CREATE TABLE issuer_keys (
		kid BYTEA PRIMARY KEY, iss TEXT NOT NULL, pub BYTEA NOT NULL, nbf BIGINT NOT NULL, exp BIGINT NOT NULL,
		created BIGINT NOT NULL, current BOOLEAN NOT NULL DEFAULT false, n BIGSERIAL);
	CREATE TABLE holders (
		sub BYTEA PRIMARY KEY, holder_pub BYTEA NOT NULL UNIQUE, name TEXT NOT NULL, birth_year INTEGER NOT NULL,
		status INTEGER NOT NULL, created BIGINT NOT NULL);
	CREATE TABLE credentials (
		cid BYTEA PRIMARY KEY, sub BYTEA NOT NULL REFERENCES holders(sub), kid BYTEA NOT NULL, nbf BIGINT NOT NULL,
		exp BIGINT NOT NULL, credential BYTEA NOT NULL, issued BIGINT NOT NULL);
	CREATE INDEX credentials_sub ON credentials(sub);
	CREATE TABLE revocations (cid BYTEA PRIMARY KEY, revoked BIGINT NOT NULL, note TEXT NOT NULL DEFAULT '');
	CREATE TABLE kiosks (
		venue_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
		PRIMARY KEY (venue_id, kiosk_id));
	CREATE TABLE entries (
		venue_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, id TEXT NOT NULL, time BIGINT NOT NULL, outcome TEXT NOT NULL,
		method TEXT NOT NULL, reason TEXT NOT NULL, scheme TEXT NOT NULL, issuer TEXT NOT NULL, status INTEGER NOT NULL,
		cid BYTEA, manual_reason TEXT NOT NULL, outage_id BIGINT NOT NULL, received BIGINT NOT NULL,
		PRIMARY KEY (venue_id, kiosk_id, id));
	CREATE TABLE demo_holders (
		label TEXT PRIMARY KEY, kind TEXT NOT NULL, holder_seed BYTEA NOT NULL,
		cid BYTEA NOT NULL REFERENCES credentials(cid), created BIGINT NOT NULL, n BIGSERIAL);
	CREATE TABLE tokens (
		id TEXT PRIMARY KEY, hash BYTEA NOT NULL UNIQUE, kind TEXT NOT NULL, venue_id TEXT NOT NULL DEFAULT '',
		kiosk_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '', created BIGINT NOT NULL,
		revoked BIGINT NOT NULL DEFAULT 0);
	CREATE UNLOGGED TABLE presentations (
		cid BYTEA NOT NULL, iat BIGINT NOT NULL, venue_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, expires BIGINT NOT NULL,
		PRIMARY KEY (cid, iat));
	CREATE INDEX presentations_expires ON presentations(expires);`,
}

func (s *Store) migrate(ctx context.Context) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES (0)")
		}
		if err != nil {
			return err
		}
		if version > len(schema) {
			return fmt.Errorf("database schema version %d is newer than this passd (%d)", version, len(schema))
		}
		for i := version; i < len(schema); i++ {
			if _, err := tx.Exec(ctx, schema[i]); err != nil {
				return fmt.Errorf("schema step %d: %w", i+1, err)
			}
		}
		_, err = tx.Exec(ctx, "UPDATE schema_version SET version = $1", len(schema))
		return err
	})
}

func bumpSeq(ctx context.Context, tx pgx.Tx, key string) (uint64, error) {
	var v uint64
	err := tx.QueryRow(ctx, "UPDATE meta SET value = value + 1 WHERE key = $1 RETURNING value", key).Scan(&v)
	return v, err
}

func (s *Store) seq(ctx context.Context, key string) (uint64, error) {
	var v uint64
	err := s.pool.QueryRow(ctx, "SELECT value FROM meta WHERE key = $1", key).Scan(&v)
	return v, wrap(err)
}

// Seqs implements store.Store.
func (s *Store) Seqs(ctx context.Context) (tl, rl uint64, err error) {
	err = s.pool.QueryRow(ctx,
		"SELECT (SELECT value FROM meta WHERE key = 'tl_seq'), (SELECT value FROM meta WHERE key = 'rl_seq')").Scan(&tl, &rl)
	return tl, rl, wrap(err)
}

// TokenSeq implements store.Store.
func (s *Store) TokenSeq(ctx context.Context) (uint64, error) { return s.seq(ctx, "tok_seq") }

// BumpTrustListSeq implements store.Store.
func (s *Store) BumpTrustListSeq(ctx context.Context) (uint64, error) { return s.bump(ctx, "tl_seq") }

// BumpRevocationSeq implements store.Store.
func (s *Store) BumpRevocationSeq(ctx context.Context) (uint64, error) { return s.bump(ctx, "rl_seq") }

func (s *Store) bump(ctx context.Context, key string) (uint64, error) {
	var v uint64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		v, err = bumpSeq(ctx, tx, key)
		return err
	})
	return v, err
}
