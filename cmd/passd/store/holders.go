package store

import (
	"context"
	"database/sql"
	"errors"
)

// Holder is an enrolled holder.
type Holder struct {
	Sub       [16]byte
	HolderPub []byte
	Name      string // as enrolled, unmasked
	BirthYear int
	Status    int
	Created   int64
}

// Credential is an issued credential.
type Credential struct {
	CID        [16]byte
	Sub        [16]byte
	Kid        [8]byte
	NotBefore  int64
	Expires    int64
	Credential []byte // COSE_Sign1 bytes
	Issued     int64
}

// HolderByKey returns the holder enrolled with the given public key.
func (s *Store) HolderByKey(ctx context.Context, pub []byte) (Holder, error) {
	var h Holder
	var sub []byte
	err := s.db.QueryRowContext(ctx,
		`SELECT sub, holder_pub, name, birth_year, status, created FROM holders WHERE holder_pub = ?`, pub).
		Scan(&sub, &h.HolderPub, &h.Name, &h.BirthYear, &h.Status, &h.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrNotFound
	}
	if err != nil {
		return h, err
	}
	copy(h.Sub[:], sub)
	return h, nil
}

// SaveIssue stores a holder (inserted, or updated when its sub exists) and
// a credential issued to it, in one transaction.
func (s *Store) SaveIssue(ctx context.Context, h Holder, c Credential) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return saveIssue(ctx, tx, h, c)
	})
}

func saveIssue(ctx context.Context, tx *sql.Tx, h Holder, c Credential) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO holders (sub, holder_pub, name, birth_year, status, created) VALUES (?, ?, ?, ?, ?, ?)
		 ON CONFLICT (sub) DO UPDATE SET name = excluded.name, birth_year = excluded.birth_year, status = excluded.status`,
		h.Sub[:], h.HolderPub, h.Name, h.BirthYear, h.Status, h.Created)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO credentials (cid, sub, kid, nbf, exp, credential, issued) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.CID[:], c.Sub[:], c.Kid[:], c.NotBefore, c.Expires, c.Credential, c.Issued)
	return err
}

// CredentialExists reports whether passd issued the credential cid.
func (s *Store) CredentialExists(ctx context.Context, cid [16]byte) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE cid = ?", cid[:]).Scan(&n)
	return n > 0, err
}
