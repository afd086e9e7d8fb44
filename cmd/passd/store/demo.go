package store

import (
	"context"
	"database/sql"
)

// Kinds of demo holder.
const (
	DemoValid   = "valid"   // a holder whose QR is admitted
	DemoRevoked = "revoked" // a holder whose credential is revoked
	DemoStale   = "stale"   // a holder whose QR is shown 60 s old
)

// DemoHolder is a demo holder whose private key the service keeps, so that
// it can make fresh QR texts on the holder's behalf.
type DemoHolder struct {
	Label      string
	Kind       string
	HolderSeed []byte // Ed25519 seed, 32 bytes
	CID        [16]byte
	Sub        [16]byte
	Name       string // as enrolled, unmasked
	Credential []byte
	Created    int64
}

// AddDemoHolder stores an issued demo holder: the holder, its credential
// and its key, and, for a revoked one, the revocation, all at once.
func (s *Store) AddDemoHolder(ctx context.Context, h Holder, c Credential, d DemoHolder) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := saveIssue(ctx, tx, h, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			"INSERT INTO demo_holders (label, kind, holder_seed, cid, created) VALUES (?, ?, ?, ?, ?)",
			d.Label, d.Kind, d.HolderSeed, c.CID[:], d.Created)
		if err != nil {
			return err
		}
		if d.Kind == DemoRevoked {
			_, err = revoke(ctx, tx, c.CID, d.Created, "demo holder "+d.Label)
		}
		return err
	})
}

// DemoHolders lists the demo holders, valid ones first, in creation order.
func (s *Store) DemoHolders(ctx context.Context) ([]DemoHolder, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT d.label, d.kind, d.holder_seed, d.cid, c.sub, h.name, c.credential, d.created
		 FROM demo_holders d JOIN credentials c ON c.cid = d.cid JOIN holders h ON h.sub = c.sub
		 ORDER BY CASE d.kind WHEN 'valid' THEN 0 WHEN 'revoked' THEN 1 ELSE 2 END, d.created, d.rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []DemoHolder
	for rows.Next() {
		var d DemoHolder
		var cid, sub []byte
		if err := rows.Scan(&d.Label, &d.Kind, &d.HolderSeed, &cid, &sub, &d.Name, &d.Credential, &d.Created); err != nil {
			return nil, err
		}
		copy(d.CID[:], cid)
		copy(d.Sub[:], sub)
		ds = append(ds, d)
	}
	return ds, rows.Err()
}
