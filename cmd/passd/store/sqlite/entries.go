package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"passdesk/cmd/passd/store"
)

const entryColumns = `id, time, outcome, method, reason, scheme, issuer, status, cid, manual_reason, outage_id`

// StoreEntries implements store.Store.
func (s *Store) StoreEntries(ctx context.Context, venueID, kioskID string, received int64, es []store.Entry) (stored, duplicate int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, duplicate = 0, 0
		if err := touchKiosk(ctx, tx, venueID, kioskID, received); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx,
			`INSERT OR IGNORE INTO entries (venue_id, kiosk_id, `+entryColumns+`, received)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, e := range es {
			res, err := ins.ExecContext(ctx, venueID, kioskID, e.ID, e.Time, e.Outcome, e.Method, e.Reason,
				e.Scheme, e.Issuer, e.Status, e.CID, e.ManualReason, e.OutageID, received)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 1 {
				stored++
				continue
			}
			held, err := entryByID(ctx, tx, venueID, kioskID, e.ID)
			if err != nil {
				return err
			}
			if !held.SameContent(e) {
				return &store.ConflictError{VenueID: venueID, KioskID: kioskID, ID: e.ID}
			}
			duplicate++
		}
		return nil
	})
	return stored, duplicate, err
}

// CountEntries implements store.Store.
func (s *Store) CountEntries(ctx context.Context, venueID, kioskID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx,
		"SELECT count(*) FROM entries WHERE venue_id = ? AND kiosk_id = ?", venueID, kioskID).Scan(&n)
	return n, err
}

// EntryByID implements store.Store.
func (s *Store) EntryByID(ctx context.Context, venueID, kioskID, id string) (store.Entry, error) {
	return entryByID(ctx, s.db, venueID, kioskID, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func entryByID(ctx context.Context, q querier, venueID, kioskID, id string) (store.Entry, error) {
	var e store.Entry
	err := q.QueryRowContext(ctx,
		`SELECT `+entryColumns+` FROM entries WHERE venue_id = ? AND kiosk_id = ? AND id = ?`, venueID, kioskID, id).
		Scan(&e.ID, &e.Time, &e.Outcome, &e.Method, &e.Reason, &e.Scheme, &e.Issuer, &e.Status, &e.CID,
			&e.ManualReason, &e.OutageID)
	if errors.Is(err, sql.ErrNoRows) {
		return e, store.ErrNotFound
	}
	return e, err
}

func touchKiosk(ctx context.Context, tx *sql.Tx, venueID, kioskID string, at int64) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO kiosks (venue_id, kiosk_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
		 ON CONFLICT (venue_id, kiosk_id) DO UPDATE SET last_seen = excluded.last_seen`,
		venueID, kioskID, at, at)
	return err
}

// Kiosks implements store.Store.
func (s *Store) Kiosks(ctx context.Context) ([]store.Kiosk, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT venue_id, kiosk_id, first_seen, last_seen FROM kiosks ORDER BY venue_id, kiosk_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ks []store.Kiosk
	for rows.Next() {
		var k store.Kiosk
		if err := rows.Scan(&k.VenueID, &k.KioskID, &k.FirstSeen, &k.LastSeen); err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, rows.Err()
}
