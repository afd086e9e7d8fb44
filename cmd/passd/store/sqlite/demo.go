package sqlite

import (
	"context"
	"database/sql"

	"passdesk/cmd/passd/store"
)

// AddDemoHolder implements store.Store.
func (s *Store) AddDemoHolder(ctx context.Context, h store.Holder, c store.Credential, d store.DemoHolder) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := addHolder(ctx, tx, h, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			"INSERT INTO demo_holders (label, kind, holder_seed, cid, created) VALUES (?, ?, ?, ?, ?)",
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
	rows, err := s.db.QueryContext(ctx,
		`SELECT d.label, d.kind, d.holder_seed, d.cid, c.sub, h.name, c.credential, d.created
		 FROM demo_holders d JOIN credentials c ON c.cid = d.cid JOIN holders h ON h.sub = c.sub
		 ORDER BY CASE d.kind WHEN 'valid' THEN 0 WHEN 'revoked' THEN 1 ELSE 2 END, d.created, d.rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []store.DemoHolder
	for rows.Next() {
		var d store.DemoHolder
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
