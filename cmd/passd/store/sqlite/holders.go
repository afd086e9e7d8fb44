package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"passdesk/cmd/passd/store"
)

const holderColumns = `sub, holder_pub, name, birth_year, status, created`

func scanHolder(r scanner) (store.Holder, error) {
	var h store.Holder
	var sub []byte
	err := r.Scan(&sub, &h.HolderPub, &h.Name, &h.BirthYear, &h.Status, &h.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return h, store.ErrNotFound
	}
	copy(h.Sub[:], sub)
	return h, err
}

// HolderByKey implements store.Store.
func (s *Store) HolderByKey(ctx context.Context, pub []byte) (store.Holder, error) {
	return scanHolder(s.db.QueryRowContext(ctx, `SELECT `+holderColumns+` FROM holders WHERE holder_pub = ?`, pub))
}

// HolderBySub implements store.Store.
func (s *Store) HolderBySub(ctx context.Context, sub [16]byte) (store.Holder, error) {
	return scanHolder(s.db.QueryRowContext(ctx, `SELECT `+holderColumns+` FROM holders WHERE sub = ?`, sub[:]))
}

// CredentialByID implements store.Store.
func (s *Store) CredentialByID(ctx context.Context, cid [16]byte) (store.Credential, error) {
	var c store.Credential
	var id, sub, kid []byte
	err := s.db.QueryRowContext(ctx,
		`SELECT cid, sub, kid, nbf, exp, credential, issued FROM credentials WHERE cid = ?`, cid[:]).
		Scan(&id, &sub, &kid, &c.NotBefore, &c.Expires, &c.Credential, &c.Issued)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	copy(c.CID[:], id)
	copy(c.Sub[:], sub)
	copy(c.Kid[:], kid)
	return c, err
}

// AddHolder implements store.Store.
func (s *Store) AddHolder(ctx context.Context, h store.Holder, c store.Credential) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return addHolder(ctx, tx, h, c) })
}

func addHolder(ctx context.Context, tx *sql.Tx, h store.Holder, c store.Credential) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO holders (`+holderColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		h.Sub[:], h.HolderPub, h.Name, h.BirthYear, h.Status, h.Created)
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
		return fmt.Errorf("holder key: %w", store.ErrExists)
	}
	if err != nil {
		return err
	}
	return addCredential(ctx, tx, c)
}

// Reissue implements store.Store.
func (s *Store) Reissue(ctx context.Context, h store.Holder, c store.Credential) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE holders SET name = ?, birth_year = ?, status = ? WHERE sub = ?`,
			h.Name, h.BirthYear, h.Status, h.Sub[:])
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrNotFound)
		}
		return addCredential(ctx, tx, c)
	})
}

func addCredential(ctx context.Context, tx *sql.Tx, c store.Credential) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO credentials (cid, sub, kid, nbf, exp, credential, issued) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.CID[:], c.Sub[:], c.Kid[:], c.NotBefore, c.Expires, c.Credential, c.Issued)
	return err
}

// CredentialExists implements store.Store.
func (s *Store) CredentialExists(ctx context.Context, cid [16]byte) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE cid = ?", cid[:]).Scan(&n)
	return n > 0, err
}
