package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"fmt"

	"passdesk/app"
)

// cidMAC is the venue-keyed hash of a credential ID, what the ledger keeps
// instead of the ID itself (like sub): a copied ledger does not link one
// holder's visits across venues. The label keeps it apart from sub's.
func (l *Ledger) cidMAC(cid []byte) []byte {
	if len(cid) == 0 {
		return []byte{}
	}
	m := hmac.New(sha256.New, l.venueKey)
	m.Write([]byte("cid:"))
	m.Write(cid)
	return m.Sum(nil)
}

// keepUploadCID keeps an entry's raw credential ID until the entry
// reaches the central register, which needs it.
func keepUploadCID(ctx context.Context, tx *sql.Tx, e app.Entry) error {
	if len(e.CID) != 16 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO upload_cids (entry_id, cid)
		SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM uploads WHERE entry_id = ?1)`, e.ID, e.CID)
	return err
}

// forgetUploadCIDs drops the raw credential IDs of uploaded entries.
func forgetUploadCIDs(ctx context.Context, tx *sql.Tx, ids []string) error {
	st, err := tx.PrepareContext(ctx, `DELETE FROM upload_cids WHERE entry_id = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// uploadCIDs puts the raw credential IDs kept for upload into entries.
func (l *Ledger) uploadCIDs(ctx context.Context, entries []app.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	st, err := l.r.PrepareContext(ctx, `SELECT cid FROM upload_cids WHERE entry_id = ?`)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer st.Close()
	for i := range entries {
		var cid []byte
		err := st.QueryRowContext(ctx, entries[i].ID).Scan(&cid)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		entries[i].CID = cid
	}
	return nil
}
