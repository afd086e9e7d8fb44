package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"passdesk/cmd/passd/store"
)

// AddToken implements store.Store.
func (s *Store) AddToken(ctx context.Context, t store.Token) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO tokens (id, hash, kind, venue_id, kiosk_id, name, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Hash[:], t.Kind, t.VenueID, t.KioskID, t.Name, t.Created)
		var se sqlite3.Error
		if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
			return fmt.Errorf("credential %s: %w", t.ID, store.ErrExists)
		}
		if err != nil {
			return err
		}
		return bumpSeq(ctx, tx, "tok_seq")
	})
}

// RevokeToken implements store.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, at int64) (bool, error) {
	var revoked bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var was int64
		err := tx.QueryRowContext(ctx, "SELECT revoked FROM tokens WHERE id = ?", id).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil || was != 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tokens SET revoked = ? WHERE id = ?", at, id); err != nil {
			return err
		}
		revoked = true
		return bumpSeq(ctx, tx, "tok_seq")
	})
	return revoked, err
}

// Tokens implements store.Store.
func (s *Store) Tokens(ctx context.Context) (store.TokenSnapshot, error) {
	var snap store.TokenSnapshot
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'tok_seq'").Scan(&snap.Seq); err != nil {
		return snap, err
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT id, hash, kind, venue_id, kiosk_id, name, created, revoked FROM tokens ORDER BY created, id`)
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		var t store.Token
		var h []byte
		if err := rows.Scan(&t.ID, &h, &t.Kind, &t.VenueID, &t.KioskID, &t.Name, &t.Created, &t.Revoked); err != nil {
			return snap, err
		}
		copy(t.Hash[:], h)
		snap.Tokens = append(snap.Tokens, t)
	}
	return snap, rows.Err()
}

// TokenSeq implements store.Store.
func (s *Store) TokenSeq(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'tok_seq'").Scan(&v)
	return v, err
}
