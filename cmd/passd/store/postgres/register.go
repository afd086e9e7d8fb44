package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"passdesk/cmd/passd/store"
)

const entryColumns = `id, time, outcome, method, reason, scheme, issuer, status, cid, manual_reason, outage_id`

func scanEntry(r pgx.Row) (store.Entry, error) {
	var e store.Entry
	err := r.Scan(&e.ID, &e.Time, &e.Outcome, &e.Method, &e.Reason, &e.Scheme, &e.Issuer, &e.Status, &e.CID,
		&e.ManualReason, &e.OutageID)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, store.ErrNotFound
	}
	return e, err
}

// StoreEntries implements store.Store. The batch goes in one round trip
// (a pgx batch); the entries already held are then compared, so that a
// retry is a duplicate and other content under one ID a conflict, on
// whichever node either arrives.
func (s *Store) StoreEntries(ctx context.Context, venueID, kioskID string, received int64, es []store.Entry) (stored, duplicate int, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		stored, duplicate = 0, 0
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO kiosks (venue_id, kiosk_id, first_seen, last_seen) VALUES ($1, $2, $3, $3)
			ON CONFLICT (venue_id, kiosk_id) DO UPDATE SET last_seen = excluded.last_seen`, venueID, kioskID, received)
		for _, e := range es {
			b.Queue(`INSERT INTO entries (venue_id, kiosk_id, `+entryColumns+`, received)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
				venueID, kioskID, e.ID, e.Time, e.Outcome, e.Method, e.Reason, e.Scheme, e.Issuer, e.Status, e.CID,
				e.ManualReason, e.OutageID, received)
		}
		br := tx.SendBatch(ctx, b)
		var held []store.Entry
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
		for _, e := range es {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return err
			}
			if tag.RowsAffected() == 1 {
				stored++
			} else {
				held = append(held, e)
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		for _, e := range held {
			got, err := scanEntry(tx.QueryRow(ctx,
				`SELECT `+entryColumns+` FROM entries WHERE venue_id = $1 AND kiosk_id = $2 AND id = $3`, venueID, kioskID, e.ID))
			if err != nil {
				return fmt.Errorf("entry %q: %w", e.ID, err)
			}
			if !got.SameContent(e) {
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
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM entries WHERE venue_id = $1 AND kiosk_id = $2", venueID, kioskID).Scan(&n)
	return n, wrap(err)
}

// EntryByID implements store.Store.
func (s *Store) EntryByID(ctx context.Context, venueID, kioskID, id string) (store.Entry, error) {
	e, err := scanEntry(s.pool.QueryRow(ctx,
		`SELECT `+entryColumns+` FROM entries WHERE venue_id = $1 AND kiosk_id = $2 AND id = $3`, venueID, kioskID, id))
	return e, wrap(err)
}

// Kiosks implements store.Store.
func (s *Store) Kiosks(ctx context.Context) ([]store.Kiosk, error) {
	rows, err := s.pool.Query(ctx, "SELECT venue_id, kiosk_id, first_seen, last_seen FROM kiosks ORDER BY venue_id, kiosk_id")
	if err != nil {
		return nil, wrap(err)
	}
	ks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Kiosk, error) {
		var k store.Kiosk
		return k, r.Scan(&k.VenueID, &k.KioskID, &k.FirstSeen, &k.LastSeen)
	})
	return ks, wrap(err)
}

// AddToken implements store.Store.
func (s *Store) AddToken(ctx context.Context, t store.Token) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx,
			`INSERT INTO tokens (id, hash, kind, venue_id, kiosk_id, name, created) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.ID, t.Hash[:], t.Kind, t.VenueID, t.KioskID, t.Name, t.Created)
		if isUnique(err) {
			return fmt.Errorf("credential %s: %w", t.ID, store.ErrExists)
		}
		if err != nil {
			return err
		}
		_, err = bumpSeq(ctx, tx, "tok_seq")
		return err
	})
}

// RevokeToken implements store.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, at int64) (bool, error) {
	var revoked bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var was int64
		err := tx.QueryRow(ctx, "SELECT revoked FROM tokens WHERE id = $1 FOR UPDATE", id).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil || was != 0 {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE tokens SET revoked = $1 WHERE id = $2", at, id); err != nil {
			return err
		}
		revoked = true
		_, err = bumpSeq(ctx, tx, "tok_seq")
		return err
	})
	return revoked, err
}

// Tokens implements store.Store.
func (s *Store) Tokens(ctx context.Context) (store.TokenSnapshot, error) {
	var snap store.TokenSnapshot
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'tok_seq'").Scan(&snap.Seq); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, hash, kind, venue_id, kiosk_id, name, created, revoked FROM tokens ORDER BY created, id`)
		if err != nil {
			return err
		}
		snap.Tokens, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Token, error) {
			var t store.Token
			var h []byte
			err := r.Scan(&t.ID, &h, &t.Kind, &t.VenueID, &t.KioskID, &t.Name, &t.Created, &t.Revoked)
			copy(t.Hash[:], h)
			return t, err
		})
		return err
	})
	return snap, err
}

// ClaimPresentation implements store.Presentations.
func (s *Store) ClaimPresentation(ctx context.Context, p store.Presentation, now int64) (store.Presentation, error) {
	first, err := s.ClaimPresentations(ctx, []store.Presentation{p}, now)
	if err != nil {
		return p, err
	}
	return first[0], nil
}

// ClaimPresentations implements store.Presentations in one statement: each
// insert wins, or the held claim is returned (the row locked, so two nodes
// racing on one presentation agree on the first), unless it expired, in
// which case it is taken over. The (cid, iat) of ps must be distinct.
func (s *Store) ClaimPresentations(ctx context.Context, ps []store.Presentation, now int64) ([]store.Presentation, error) {
	cids := make([][]byte, len(ps))
	iats := make([]int64, len(ps))
	venues := make([]string, len(ps))
	kiosks := make([]string, len(ps))
	exps := make([]int64, len(ps))
	index := make(map[[24]byte]int, len(ps))
	for i, p := range ps {
		cids[i], iats[i], venues[i], kiosks[i], exps[i] = p.CID[:], p.IAT, p.VenueID, p.KioskID, p.Expires
		index[claimKey(p.CID, p.IAT)] = i
	}
	rows, err := s.pool.Query(ctx,
		`INSERT INTO presentations (cid, iat, venue_id, kiosk_id, expires)
		 SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
		 ON CONFLICT (cid, iat) DO UPDATE SET
			venue_id = CASE WHEN presentations.expires < $6 THEN excluded.venue_id ELSE presentations.venue_id END,
			kiosk_id = CASE WHEN presentations.expires < $6 THEN excluded.kiosk_id ELSE presentations.kiosk_id END,
			expires  = CASE WHEN presentations.expires < $6 THEN excluded.expires ELSE presentations.expires END
		 RETURNING cid, iat, venue_id, kiosk_id, expires`,
		cids, iats, venues, kiosks, exps, now)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	first := make([]store.Presentation, len(ps))
	seen := 0
	for rows.Next() {
		var p store.Presentation
		var cid []byte
		if err := rows.Scan(&cid, &p.IAT, &p.VenueID, &p.KioskID, &p.Expires); err != nil {
			return nil, wrap(err)
		}
		copy(p.CID[:], cid)
		i, ok := index[claimKey(p.CID, p.IAT)]
		if !ok {
			return nil, fmt.Errorf("claim answer for a presentation not asked about")
		}
		first[i] = p
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	if seen != len(ps) {
		return nil, fmt.Errorf("%d claims answered of %d", seen, len(ps))
	}
	return first, nil
}

func claimKey(cid [16]byte, iat int64) (k [24]byte) {
	copy(k[:], cid[:])
	for i := range 8 {
		k[16+i] = byte(iat >> (8 * i))
	}
	return k
}

// PurgePresentations implements store.Presentations.
func (s *Store) PurgePresentations(ctx context.Context, now int64) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM presentations WHERE expires < $1", now)
	return tag.RowsAffected(), wrap(err)
}
