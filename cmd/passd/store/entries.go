package store

import (
	"context"
	"database/sql"
)

// Entry is one row of the central entries register.
type Entry struct {
	ID           string
	Time         int64
	Outcome      string
	Method       string
	Reason       string
	Scheme       string
	Issuer       string
	Status       int
	CID          []byte
	ManualReason string
	OutageID     int64
}

// StoreEntries records a kiosk's batch, idempotent by (venue, kiosk, entry
// ID): an entry already held is counted as a duplicate and left as it was.
// The kiosk is registered (or its last_seen updated) in the same
// transaction, so a failed batch stores nothing at all.
func (s *Store) StoreEntries(ctx context.Context, venueID, kioskID string, received int64, es []Entry) (stored, duplicate int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, duplicate = 0, 0
		if err := touchKiosk(ctx, tx, venueID, kioskID, received); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx,
			`INSERT OR IGNORE INTO entries (venue_id, kiosk_id, id, time, outcome, method, reason, scheme,
				issuer, status, cid, manual_reason, outage_id, received)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range es {
			res, err := stmt.ExecContext(ctx, venueID, kioskID, e.ID, e.Time, e.Outcome, e.Method, e.Reason,
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
			} else {
				duplicate++
			}
		}
		return nil
	})
	return stored, duplicate, err
}

// CountEntries returns how many entries the register holds for a kiosk.
func (s *Store) CountEntries(ctx context.Context, venueID, kioskID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx,
		"SELECT count(*) FROM entries WHERE venue_id = ? AND kiosk_id = ?", venueID, kioskID).Scan(&n)
	return n, err
}

// EntryByID returns one stored entry.
func (s *Store) EntryByID(ctx context.Context, venueID, kioskID, id string) (Entry, error) {
	var e Entry
	err := s.db.QueryRowContext(ctx,
		`SELECT id, time, outcome, method, reason, scheme, issuer, status, cid, manual_reason, outage_id
		 FROM entries WHERE venue_id = ? AND kiosk_id = ? AND id = ?`, venueID, kioskID, id).
		Scan(&e.ID, &e.Time, &e.Outcome, &e.Method, &e.Reason, &e.Scheme, &e.Issuer, &e.Status, &e.CID,
			&e.ManualReason, &e.OutageID)
	if err == sql.ErrNoRows {
		return e, ErrNotFound
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

// Kiosk is a kiosk the register has heard from.
type Kiosk struct {
	VenueID, KioskID    string
	FirstSeen, LastSeen int64
}

// Kiosks lists the kiosks that have uploaded entries.
func (s *Store) Kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT venue_id, kiosk_id, first_seen, last_seen FROM kiosks ORDER BY venue_id, kiosk_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ks []Kiosk
	for rows.Next() {
		var k Kiosk
		if err := rows.Scan(&k.VenueID, &k.KioskID, &k.FirstSeen, &k.LastSeen); err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, rows.Err()
}
