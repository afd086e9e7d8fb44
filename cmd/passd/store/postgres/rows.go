package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"passdesk/cmd/passd/store"
)

// AddIssuerKey implements store.Store.
func (s *Store) AddIssuerKey(ctx context.Context, k store.IssuerKey) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if k.Current {
			if _, err := tx.Exec(ctx, "UPDATE issuer_keys SET current = false"); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx,
			`INSERT INTO issuer_keys (kid, iss, pub, nbf, exp, created, current) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			k.Kid[:], k.Issuer, k.Public, k.NotBefore, k.Expires, k.Created, k.Current)
		if isUnique(err) {
			return fmt.Errorf("issuer key %x: %w", k.Kid, store.ErrExists)
		}
		if err != nil {
			return err
		}
		_, err = bumpSeq(ctx, tx, "tl_seq")
		return err
	})
}

const keyColumns = `kid, iss, pub, nbf, exp, created, current`

func scanKey(r pgx.Row) (store.IssuerKey, error) {
	var k store.IssuerKey
	var kid []byte
	if err := r.Scan(&kid, &k.Issuer, &k.Public, &k.NotBefore, &k.Expires, &k.Created, &k.Current); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return k, store.ErrNotFound
		}
		return k, wrap(err)
	}
	if len(kid) != len(k.Kid) {
		return k, errors.New("issuer key row with a kid that is not 8 bytes")
	}
	copy(k.Kid[:], kid)
	return k, nil
}

// TrustState implements store.Store.
func (s *Store) TrustState(ctx context.Context, now int64) (store.TrustSnapshot, error) {
	var snap store.TrustSnapshot
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'tl_seq'").Scan(&snap.Seq); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+keyColumns+` FROM issuer_keys WHERE exp >= $1 ORDER BY created, n`, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				return err
			}
			snap.Keys = append(snap.Keys, k)
		}
		return rows.Err()
	})
	return snap, err
}

// readTx runs fn in a read-only transaction that sees one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return wrap(pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn))
}

// CurrentIssuerKey implements store.Store.
func (s *Store) CurrentIssuerKey(ctx context.Context) (store.IssuerKey, error) {
	return scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM issuer_keys WHERE current`))
}

// Revoke implements store.Store.
func (s *Store) Revoke(ctx context.Context, cid [16]byte, at int64, note string) (bool, error) {
	var added bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		added, err = revoke(ctx, tx, cid, at, note)
		return err
	})
	return added, err
}

func revoke(ctx context.Context, tx pgx.Tx, cid [16]byte, at int64, note string) (bool, error) {
	tag, err := tx.Exec(ctx, "INSERT INTO revocations (cid, revoked, note) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		cid[:], at, note)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	_, err = bumpSeq(ctx, tx, "rl_seq")
	return true, err
}

// RevocationState implements store.Store.
func (s *Store) RevocationState(ctx context.Context) (store.RevocationSnapshot, error) {
	var snap store.RevocationSnapshot
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'rl_seq'").Scan(&snap.Seq); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT cid FROM revocations ORDER BY revoked, cid")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			snap.CIDs = append(snap.CIDs, [16]byte(b))
		}
		return rows.Err()
	})
	return snap, err
}

const holderColumns = `sub, holder_pub, name, birth_year, status, created`

func scanHolder(r pgx.Row) (store.Holder, error) {
	var h store.Holder
	var sub []byte
	err := r.Scan(&sub, &h.HolderPub, &h.Name, &h.BirthYear, &h.Status, &h.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, store.ErrNotFound
	}
	copy(h.Sub[:], sub)
	return h, wrap(err)
}

// HolderByKey implements store.Store.
func (s *Store) HolderByKey(ctx context.Context, pub []byte) (store.Holder, error) {
	return scanHolder(s.pool.QueryRow(ctx, `SELECT `+holderColumns+` FROM holders WHERE holder_pub = $1`, pub))
}

// HolderBySub implements store.Store.
func (s *Store) HolderBySub(ctx context.Context, sub [16]byte) (store.Holder, error) {
	return scanHolder(s.pool.QueryRow(ctx, `SELECT `+holderColumns+` FROM holders WHERE sub = $1`, sub[:]))
}

// CredentialByID implements store.Store.
func (s *Store) CredentialByID(ctx context.Context, cid [16]byte) (store.Credential, error) {
	var c store.Credential
	var id, sub, kid []byte
	err := s.pool.QueryRow(ctx, `SELECT cid, sub, kid, nbf, exp, credential, issued FROM credentials WHERE cid = $1`, cid[:]).
		Scan(&id, &sub, &kid, &c.NotBefore, &c.Expires, &c.Credential, &c.Issued)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, store.ErrNotFound
	}
	copy(c.CID[:], id)
	copy(c.Sub[:], sub)
	copy(c.Kid[:], kid)
	return c, wrap(err)
}

// AddHolder implements store.Store.
func (s *Store) AddHolder(ctx context.Context, h store.Holder, c store.Credential) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return addHolder(ctx, tx, h, c) })
}

func addHolder(ctx context.Context, tx pgx.Tx, h store.Holder, c store.Credential) error {
	_, err := tx.Exec(ctx, `INSERT INTO holders (`+holderColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		h.Sub[:], h.HolderPub, h.Name, h.BirthYear, h.Status, h.Created)
	if isUnique(err) {
		return fmt.Errorf("holder key: %w", store.ErrExists)
	}
	if err != nil {
		return err
	}
	return addCredential(ctx, tx, c)
}

func addCredential(ctx context.Context, tx pgx.Tx, c store.Credential) error {
	_, err := tx.Exec(ctx,
		`INSERT INTO credentials (cid, sub, kid, nbf, exp, credential, issued) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.CID[:], c.Sub[:], c.Kid[:], c.NotBefore, c.Expires, c.Credential, c.Issued)
	return err
}

// Reissue implements store.Store.
func (s *Store) Reissue(ctx context.Context, h store.Holder, c store.Credential) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE holders SET name = $1, birth_year = $2, status = $3 WHERE sub = $4`,
			h.Name, h.BirthYear, h.Status, h.Sub[:])
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		return addCredential(ctx, tx, c)
	})
}

// CredentialExists implements store.Store.
func (s *Store) CredentialExists(ctx context.Context, cid [16]byte) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM credentials WHERE cid = $1)", cid[:]).Scan(&ok)
	return ok, wrap(err)
}

// AddDemoHolder implements store.Store.
func (s *Store) AddDemoHolder(ctx context.Context, h store.Holder, c store.Credential, d store.DemoHolder) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := addHolder(ctx, tx, h, c); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO demo_holders (label, kind, holder_seed, cid, created) VALUES ($1, $2, $3, $4, $5)",
			d.Label, d.Kind, d.HolderSeed, c.CID[:], d.Created)
		if err != nil {
			return err
		}
		if d.Kind == store.DemoRevoked {
			_, err = revoke(ctx, tx, c.CID, d.Created, "demo holder "+d.Label)
		}
		return err
	})
}

// DemoHolders implements store.Store.
func (s *Store) DemoHolders(ctx context.Context) ([]store.DemoHolder, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT d.label, d.kind, d.holder_seed, d.cid, c.sub, h.name, c.credential, d.created
		 FROM demo_holders d JOIN credentials c ON c.cid = d.cid JOIN holders h ON h.sub = c.sub
		 ORDER BY CASE d.kind WHEN 'valid' THEN 0 WHEN 'revoked' THEN 1 ELSE 2 END, d.created, d.n`)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var ds []store.DemoHolder
	for rows.Next() {
		var d store.DemoHolder
		var cid, sub []byte
		if err := rows.Scan(&d.Label, &d.Kind, &d.HolderSeed, &cid, &sub, &d.Name, &d.Credential, &d.Created); err != nil {
			return nil, wrap(err)
		}
		copy(d.CID[:], cid)
		copy(d.Sub[:], sub)
		ds = append(ds, d)
	}
	return ds, wrap(rows.Err())
}
