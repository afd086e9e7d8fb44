package sqlite

import (
	"context"
	"database/sql"

	"passdesk/cmd/passd/store"
)

// Revoke adds cid to the revocation list; the list sequence grows. It
// reports false, and changes nothing, when cid was already revoked.
func (s *Store) Revoke(ctx context.Context, cid [16]byte, at int64, note string) (bool, error) {
	var added bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = revoke(ctx, tx, cid, at, note)
		return err
	})
	return added, err
}

func revoke(ctx context.Context, tx *sql.Tx, cid [16]byte, at int64, note string) (bool, error) {
	res, err := tx.ExecContext(ctx,
		"INSERT OR IGNORE INTO revocations (cid, revoked, note) VALUES (?, ?, ?)", cid[:], at, note)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, bumpSeq(ctx, tx, "rl_seq")
}

// RevocationState returns the revocation list sequence and every revoked
// credential ID, read consistently, oldest revocation first.
func (s *Store) RevocationState(ctx context.Context) (store.RevocationSnapshot, error) {
	var snap store.RevocationSnapshot
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'rl_seq'").Scan(&snap.Seq); err != nil {
		return snap, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT cid FROM revocations ORDER BY revoked, cid")
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return snap, err
		}
		var cid [16]byte
		copy(cid[:], b)
		snap.CIDs = append(snap.CIDs, cid)
	}
	return snap, rows.Err()
}
