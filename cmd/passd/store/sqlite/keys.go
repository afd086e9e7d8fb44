package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"passdesk/cmd/passd/store"
)

// AddIssuerKey records k and, when k.Current, makes it the only current key.
// The trust list sequence grows.
func (s *Store) AddIssuerKey(ctx context.Context, k store.IssuerKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if k.Current {
			if _, err := tx.ExecContext(ctx, "UPDATE issuer_keys SET current = 0"); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO issuer_keys (kid, iss, pub, nbf, exp, created, current) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.Kid[:], k.Issuer, k.Public, k.NotBefore, k.Expires, k.Created, k.Current)
		if err != nil {
			return err
		}
		return bumpSeq(ctx, tx, "tl_seq")
	})
}

// TrustState returns the trust list sequence and every issuer key that has
// not expired at now (Unix seconds), read consistently.
func (s *Store) TrustState(ctx context.Context, now int64) (store.TrustSnapshot, error) {
	var snap store.TrustSnapshot
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'tl_seq'").Scan(&snap.Seq); err != nil {
		return snap, err
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT kid, iss, pub, nbf, exp, created, current FROM issuer_keys WHERE exp >= ? ORDER BY created, rowid`, now)
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return snap, err
		}
		snap.Keys = append(snap.Keys, k)
	}
	return snap, rows.Err()
}

// CurrentIssuerKey returns the key new credentials are signed with.
func (s *Store) CurrentIssuerKey(ctx context.Context) (store.IssuerKey, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT kid, iss, pub, nbf, exp, created, current FROM issuer_keys WHERE current = 1`)
	k, err := scanKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrNotFound
	}
	return k, err
}

type scanner interface{ Scan(dest ...any) error }

func scanKey(r scanner) (store.IssuerKey, error) {
	var k store.IssuerKey
	var kid []byte
	if err := r.Scan(&kid, &k.Issuer, &k.Public, &k.NotBefore, &k.Expires, &k.Created, &k.Current); err != nil {
		return k, err
	}
	if len(kid) != len(k.Kid) {
		return k, errors.New("issuer key row with a kid that is not 8 bytes")
	}
	copy(k.Kid[:], kid)
	return k, nil
}
