package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Purge removes the entries older than the retention at now (their upload
// marks go with them) and returns how many. It removes a prefix of the
// chain, up to the first entry still inside the retention, and leaves an
// anchor (the last removed row's seq and hash, authenticated with the venue
// secret) where the chain now starts, so Verify still proves the rest.
// Outage events and the audit trail hold no visitor data and are kept.
func (l *Ledger) Purge(ctx context.Context, now time.Time) (int, error) {
	cutoff := now.Add(-l.opts.Retention).UnixNano()
	var removed int64
	var upTo int64
	err := l.write(ctx, func(tx *sql.Tx) error {
		var first sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(seq) FROM entries WHERE at >= ?`, cutoff).Scan(&first); err != nil {
			return err
		}
		if first.Valid {
			upTo = first.Int64 - 1
		} else if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM entries`).Scan(&upTo); err != nil {
			return err
		}
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(seq) FROM entries`).Scan(&oldest); err != nil {
			return err
		}
		if !oldest.Valid || upTo < oldest.Int64 {
			return nil
		}
		a := anchor{seq: upTo, at: now.UTC().UnixNano()}
		if err := tx.QueryRowContext(ctx, `SELECT hash FROM entries WHERE seq = ?`, upTo).Scan(&a.hash); err != nil {
			return fmt.Errorf("the last row to purge (%d): %w", upTo, err)
		}
		a.mac = l.anchorMAC("entries", a)
		if _, err := tx.ExecContext(ctx, `INSERT INTO purge_gate (cutoff) VALUES (?)`, cutoff); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE seq <= ?`, upTo)
		if err != nil {
			return err
		}
		if removed, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM purge_gate`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO anchors (tbl, seq, hash, at, mac) VALUES ('entries', ?, ?, ?, ?)`,
			a.seq, a.hash, a.at, a.mac); err != nil {
			return err
		}
		detail := fmt.Sprintf("%d entries up to row %d, older than %s", removed, upTo,
			time.Unix(0, cutoff).In(l.opts.Location).Format(time.RFC3339))
		return l.appendAudit(ctx, tx, now, "", "purge", detail)
	})
	if err != nil {
		return 0, notRecorded("purge", err)
	}
	if removed > 0 {
		l.checkpoint(ctx)
	}
	return int(removed), nil
}

// checkpoint copies the WAL into the database file and empties it, so the
// purged rows' old pages, which the WAL's zeroed ones replace, are
// overwritten in the file now rather than at some later checkpoint, and
// the WAL's own older copies of them are gone. A reader can hold it back
// (each waits out the busy timeout); the manager is told when it could not
// finish, since the next automatic checkpoint then does it.
func (l *Ledger) checkpoint(ctx context.Context) {
	var busy, logFrames, done int
	for try := 0; try < 3; try++ {
		err := l.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
		if err == nil && busy == 0 {
			return
		}
		if err != nil {
			l.notice(fmt.Sprintf("after the purge, the removed rows could not yet be cleared from the ledger file (%v); the next checkpoint clears them", err))
			return
		}
	}
	l.notice("after the purge, the removed rows could not yet be cleared from the ledger file (it was being read); the next checkpoint clears them")
}
