package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"passdesk/app"
)

// maxField bounds free-text fields so a stuck keyboard wedge cannot bloat
// the ledger.
const maxField = 1000

func validEntry(e app.Entry) error {
	switch {
	case strings.TrimSpace(e.ID) == "":
		return errors.New("the entry has no ID")
	case e.Outcome != app.Admit && e.Outcome != app.Deny && e.Outcome != app.Duplicate:
		return fmt.Errorf("unknown outcome %q", e.Outcome)
	case e.Method != app.Online && e.Method != app.Offline && e.Method != app.Manual:
		return fmt.Errorf("unknown method %q", e.Method)
	case e.Method == app.Manual && strings.TrimSpace(e.VisitorName) == "":
		return errors.New("a manual entry needs the visitor's name")
	case e.Method == app.Manual && !validManualReason(e.ManualReason):
		return fmt.Errorf("unknown manual reason %q", e.ManualReason)
	case e.Method != app.Manual && e.ManualReason != "":
		return errors.New("only a manual entry has a manual reason")
	case !validTime(e.Time):
		return fmt.Errorf("entry time %s is out of range", e.Time.Format(time.RFC3339))
	}
	for _, f := range []string{e.ID, e.VenueID, e.KioskID, e.Reason, e.Scheme, e.Issuer, e.Name,
		e.VisitorName, e.Phone, e.Staff, e.Note, e.Corrects, e.Rule} {
		if len(f) > maxField {
			return fmt.Errorf("a field is longer than %d bytes", maxField)
		}
	}
	return nil
}

// validTime keeps times where Unix nanoseconds (the stored form) are exact.
func validTime(t time.Time) bool {
	return t.Year() >= 2000 && t.Year() < 2200
}

func validManualReason(r app.ManualReason) bool {
	switch r {
	case app.ReasonOutage, app.ReasonNoPhone, app.ReasonMedicalExemption, app.ReasonMinor, app.ReasonOther:
		return true
	}
	return false
}

// Record commits e durably (WAL, synchronous=FULL) and returns it with its
// Seq. Recording an ID already in the ledger with the same time, outcome and
// method returns the stored entry (a retry); any failure wraps
// ErrNotRecorded.
func (l *Ledger) Record(ctx context.Context, e app.Entry) (app.Entry, error) {
	e, row, err := l.prepare(e)
	if err != nil {
		return e, notRecorded("record", err)
	}
	err = l.writeEntry(ctx, func(tx *sql.Tx) error {
		if err := l.insert(ctx, tx, &row); err != nil {
			return err
		}
		if err := keepUploadCID(ctx, tx, e); err != nil {
			return err
		}
		return keepPresentationKey(ctx, tx, e)
	})
	if err != nil {
		return e, notRecorded("record", err)
	}
	e.Seq = row.seq
	e.PhoneMask = maskPhone(e.Phone)
	return e, nil
}

// prepare fills an entry's defaults, checks it and makes its row, with the
// sub replaced by its keyed hash and the phone sealed.
func (l *Ledger) prepare(e app.Entry) (app.Entry, entryRow, error) {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	if e.VenueID == "" {
		e.VenueID = l.opts.VenueID
	}
	if e.KioskID == "" {
		e.KioskID = l.opts.KioskID
	}
	if e.Method == app.Manual && e.Reason == "" {
		e.Reason = "manual"
	}
	if err := validEntry(e); err != nil {
		return e, entryRow{}, err
	}
	phoneEnc, err := l.phone.seal(e.Phone, e.ID)
	if err != nil {
		return e, entryRow{}, err
	}
	return e, entryRow{
		id: e.ID, at: e.Time.UTC().UnixNano(), venueID: e.VenueID, kioskID: e.KioskID,
		outcome: string(e.Outcome), method: string(e.Method), reason: e.Reason,
		scheme: e.Scheme, issuer: e.Issuer, status: int64(e.Status), name: e.Name,
		cid: l.cidMAC(e.CID), subMAC: l.subMAC(e.Sub), visitorName: e.VisitorName,
		phoneEnc: phoneEnc, manualReason: string(e.ManualReason), staff: e.Staff,
		note: e.Note, outageID: e.OutageID, corrects: e.Corrects, rule: e.Rule,
	}, nil
}

// insert links row to the end of the entries chain and inserts it, or, when
// its ID is already there with the same contents, sets its seq to the
// stored one.
func (l *Ledger) insert(ctx context.Context, tx *sql.Tx, row *entryRow) error {
	var old entryRow
	err := tx.QueryRowContext(ctx, `SELECT `+chainColumns["entries"]+` FROM entries WHERE id = ?`, row.id).Scan(old.dest()...)
	if err == nil {
		if old.at != row.at || old.outcome != row.outcome || old.method != row.method || !bytes.Equal(old.subMAC, row.subMAC) {
			return fmt.Errorf("entry ID %s is already recorded with other contents", row.id)
		}
		row.seq = old.seq
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if row.corrects != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE id = ?`, row.corrects).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("the corrected entry %s is not in the ledger", row.corrects)
		}
	}
	if row.seq, row.prevHash, err = l.nextLink(ctx, tx, "entries"); err != nil {
		return err
	}
	row.hash = row.sum()
	if _, err = tx.ExecContext(ctx, `INSERT INTO entries (`+chainColumns["entries"]+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row.values()...); err != nil {
		return err
	}
	return l.setHead(ctx, tx, "entries", row.seq, row.hash)
}

func (r *entryRow) values() []any {
	var v []any
	for _, d := range r.dest() {
		switch p := d.(type) {
		case *int64:
			v = append(v, *p)
		case *string:
			v = append(v, *p)
		case *[]byte:
			v = append(v, nonNil(*p))
		}
	}
	return v
}

// nonNil keeps empty blobs out of NULL, which the NOT NULL columns refuse.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// write runs fn in one immediate transaction on the writing connection,
// after what a full disk left in memory (see full.go), so the record keeps
// its order.
func (l *Ledger) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	_ = l.Resume(ctx)
	err := l.writeTx(ctx, fn)
	l.refused(err, false)
	return err
}

// writeEntry is write for Record: a refusal counts as an entry not recorded.
func (l *Ledger) writeEntry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	_ = l.Resume(ctx)
	err := l.writeTx(ctx, fn)
	l.refused(err, true)
	return err
}

func (l *Ledger) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := l.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// appendEvent adds one outage event to its chain.
func (l *Ledger) appendEvent(ctx context.Context, tx *sql.Tx, ev *outageEvent) error {
	var err error
	if ev.seq, ev.prevHash, err = l.nextLink(ctx, tx, "outage_events"); err != nil {
		return err
	}
	if ev.kind == "start" {
		ev.outageID = ev.seq
	}
	ev.hash = ev.sum()
	if _, err = tx.ExecContext(ctx, `INSERT INTO outage_events (`+chainColumns["outage_events"]+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ev.seq, ev.prevHash, ev.hash, ev.outageID, ev.kind, ev.at, ev.cause); err != nil {
		return err
	}
	return l.setHead(ctx, tx, "outage_events", ev.seq, ev.hash)
}

// OpenOutage records the start of an outage and returns its ID. Outages are
// kept as insert-only start and end events; the ID is the start event's seq.
func (l *Ledger) OpenOutage(ctx context.Context, start time.Time, cause string) (int64, error) {
	if start.IsZero() {
		start = l.now()
	}
	if !validTime(start) {
		return 0, notRecorded("open outage", fmt.Errorf("start %s is out of range", start.Format(time.RFC3339)))
	}
	if len(cause) > maxField {
		cause = strings.ToValidUTF8(cause[:maxField], "")
	}
	ev := outageEvent{kind: "start", at: start.UTC().UnixNano(), cause: cause}
	if err := l.write(ctx, func(tx *sql.Tx) error { return l.appendEvent(ctx, tx, &ev) }); err != nil {
		return 0, notRecorded("open outage", err)
	}
	return ev.outageID, nil
}

// CloseOutage records the end of an outage by adding its end event; closing
// an outage already closed changes nothing.
func (l *Ledger) CloseOutage(ctx context.Context, id int64, end time.Time) error {
	if end.IsZero() {
		end = l.now()
	}
	if !validTime(end) {
		return notRecorded("close outage", fmt.Errorf("end %s is out of range", end.Format(time.RFC3339)))
	}
	err := l.write(ctx, func(tx *sql.Tx) error {
		var startAt int64
		err := tx.QueryRowContext(ctx, `SELECT at FROM outage_events WHERE outage_id = ? AND kind = 'start'`, id).Scan(&startAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outage %d: %w", id, app.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outage_events WHERE outage_id = ? AND kind = 'end'`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		at := end.UTC().UnixNano()
		if at < startAt {
			return fmt.Errorf("outage %d cannot end before it started", id)
		}
		return l.appendEvent(ctx, tx, &outageEvent{outageID: id, kind: "end", at: at})
	})
	if err != nil {
		return notRecorded("close outage", err)
	}
	return nil
}

// stoppedCause is the cause of the end event EndStoppedOutages writes.
const stoppedCause = "kiosk stopped"

// EndStoppedOutages ends every outage left open because the kiosk
// stopped before the service came back, the end marked as the kiosk's
// stop (Outage.Stopped), since the outage may have lasted longer. A run
// that is stopping passes the time it stops, at; a run that starts
// passes zero for those an earlier run left (it was killed, or could not
// write), and each ends at the last entry recorded during it, or at its
// start when there was none. It returns how many it ended.
func (l *Ledger) EndStoppedOutages(ctx context.Context, at time.Time) (int, error) {
	var stop int64
	if !at.IsZero() {
		if !validTime(at) {
			return 0, notRecorded("end the outages a stopped kiosk left open", fmt.Errorf("end %s is out of range", at.Format(time.RFC3339)))
		}
		stop = at.UTC().UnixNano()
	}
	n := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.outage_id, max(s.at, ?, coalesce((SELECT max(e.at) FROM entries e WHERE e.outage_id = s.outage_id), s.at))
			FROM outage_events s WHERE s.kind = 'start'
			AND NOT EXISTS (SELECT 1 FROM outage_events x WHERE x.outage_id = s.outage_id AND x.kind = 'end')
			ORDER BY s.outage_id`, stop)
		if err != nil {
			return err
		}
		var open []outageEvent
		for rows.Next() {
			ev := outageEvent{kind: "end", cause: stoppedCause}
			if err := rows.Scan(&ev.outageID, &ev.at); err != nil {
				rows.Close()
				return err
			}
			open = append(open, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range open {
			if err := l.appendEvent(ctx, tx, &open[i]); err != nil {
				return err
			}
		}
		n = len(open)
		return nil
	})
	if err != nil {
		return 0, notRecorded("end the outages a stopped kiosk left open", err)
	}
	return n, nil
}

// PendingUploads returns entries not yet in the central register, oldest
// first, with phone numbers masked.
func (l *Ledger) PendingUploads(ctx context.Context, limit int) ([]app.Entry, error) {
	if limit <= 0 {
		limit = 100
	}
	out, err := l.queryEntries(ctx, `WHERE NOT EXISTS (SELECT 1 FROM uploads u WHERE u.entry_id = e.id)
		ORDER BY e.seq LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	return out, l.uploadCIDs(ctx, out)
}

// MarkUploaded records that the entries reached the central register. It
// inserts into the uploads table (never updating an entry); unknown or
// already-marked IDs are skipped.
func (l *Ledger) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if at.IsZero() {
		at = l.now()
	}
	err := l.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO uploads (entry_id, at)
			SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?1)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, id, at.UTC().UnixNano()); err != nil {
				return err
			}
		}
		return forgetUploadCIDs(ctx, tx, ids)
	})
	if err != nil {
		return notRecorded("mark uploaded", err)
	}
	return nil
}

// entrySelect reads entries (aliased e) with their upload state.
const entrySelect = `SELECT e.seq, e.prev_hash, e.hash, e.id, e.at, e.venue_id, e.kiosk_id,
	e.outcome, e.method, e.reason, e.scheme, e.issuer, e.status, e.name, e.cid, e.sub_mac,
	e.visitor_name, e.phone_enc, e.manual_reason, e.staff, e.note, e.outage_id, e.corrects, e.rule,
	EXISTS (SELECT 1 FROM uploads u WHERE u.entry_id = e.id)
	FROM entries e `

func (l *Ledger) queryEntries(ctx context.Context, tail string, args ...any) ([]app.Entry, error) {
	rows, err := l.r.QueryContext(ctx, entrySelect+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	defer rows.Close()
	var out []app.Entry
	for rows.Next() {
		var r entryRow
		var uploaded bool
		if err := rows.Scan(append(r.dest(), &uploaded)...); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
		out = append(out, l.toEntry(&r, uploaded))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return out, nil
}

// toEntry turns a stored row into an Entry with the phone masked; Sub stays
// empty, since only its keyed hash is kept.
func (l *Ledger) toEntry(r *entryRow, uploaded bool) app.Entry {
	e := app.Entry{
		ID: r.id, Seq: r.seq, Time: time.Unix(0, r.at).In(l.opts.Location),
		VenueID: r.venueID, KioskID: r.kioskID,
		Outcome: app.Outcome(r.outcome), Method: app.Method(r.method), Reason: r.reason,
		Scheme: r.scheme, Issuer: r.issuer, Status: int(r.status), Name: r.name,
		VisitorName: r.visitorName, ManualReason: app.ManualReason(r.manualReason),
		Staff: r.staff, Note: r.note, OutageID: r.outageID, Corrects: r.corrects,
		Rule: r.rule, Uploaded: uploaded,
	}
	if len(r.phoneEnc) > 0 {
		if p, err := l.phone.open(r.phoneEnc, r.id); err == nil {
			e.PhoneMask = maskPhone(p)
		} else {
			e.PhoneMask = "(unreadable)"
		}
	}
	return e
}
