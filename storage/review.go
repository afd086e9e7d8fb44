package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"passdesk/app"
)

// Summary is the day's review: totals by outcome, method and reason,
// admitted visitors per local hour, the outages overlapping the day, the
// number of manual entries and of unreadable scans (counted apart from the
// methods, since nothing was checked). An entry that a later correction supersedes is
// counted only as its correction.
func (l *Ledger) Summary(ctx context.Context, day time.Time) (app.DaySummary, error) {
	start, end, name := l.dayBounds(day)
	s := app.DaySummary{
		Day:       name,
		ByOutcome: map[app.Outcome]int{},
		ByMethod:  map[app.Method]int{},
		ByReason:  map[string]int{},
	}
	lo, hi := start.UnixNano(), end.UnixNano()
	tx, err := l.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("storage: summary: %w", err)
	}
	defer tx.Rollback()
	var rows *sql.Rows
	if lo%quarterNanos == 0 && hi%quarterNanos == 0 {
		// The day is whole quarter hours (every real time zone): read
		// the counts the triggers keep.
		hour, args := l.hourCase(start, "quarter * 900000000000")
		rows, err = tx.QueryContext(ctx, `SELECT outcome, method, reason, `+hour+`, sum(n) FROM entry_counts
			WHERE quarter >= ? AND quarter < ? GROUP BY 1, 2, 3, 4`, append(args, lo/quarterNanos, hi/quarterNanos)...)
	} else {
		hour, args := l.hourCase(start, "at")
		rows, err = tx.QueryContext(ctx, `SELECT outcome, method, reason, `+hour+`, count(*) FROM entries
			WHERE at >= ? AND at < ? GROUP BY 1, 2, 3, 4`, append(args, lo, hi)...)
	}
	if err != nil {
		return s, fmt.Errorf("storage: summary: %w", err)
	}
	if err := addCounts(&s, rows, 1); err != nil {
		return s, err
	}
	// Corrections are rare: take the superseded entries of the day back out.
	hour, args := l.hourCase(start, "o.at")
	rows, err = tx.QueryContext(ctx, `SELECT o.outcome, o.method, o.reason, `+hour+`, count(*)
		FROM entries o WHERE o.at >= ? AND o.at < ? AND o.seq IN (
			SELECT x.seq FROM entries c JOIN entries x ON x.id = c.corrects WHERE c.corrects > '')
		GROUP BY 1, 2, 3, 4`, append(args, lo, hi)...)
	if err != nil {
		return s, fmt.Errorf("storage: summary: %w", err)
	}
	if err := addCounts(&s, rows, -1); err != nil {
		return s, err
	}
	for k, v := range s.ByReason {
		if v == 0 {
			delete(s.ByReason, k)
		}
	}
	for k, v := range s.ByOutcome {
		if v == 0 {
			delete(s.ByOutcome, k)
		}
	}
	for k, v := range s.ByMethod {
		if v == 0 {
			delete(s.ByMethod, k)
		}
	}
	s.Manual = s.ByMethod[app.Manual]
	if s.Outages, err = outagesBetween(ctx, tx, l.opts.Location, lo, hi); err != nil {
		return s, err
	}
	return s, nil
}

// quarterNanos is the bucket of the entry_counts table.
const quarterNanos = int64(15 * time.Minute)

// addCounts folds grouped rows (outcome, method, reason, hour, count) into
// s with the given sign, and closes rows.
func addCounts(s *app.DaySummary, rows *sql.Rows, sign int) error {
	defer rows.Close()
	for rows.Next() {
		var outcome, method, reason string
		var hour, n int
		if err := rows.Scan(&outcome, &method, &reason, &hour, &n); err != nil {
			return fmt.Errorf("storage: summary: %w", err)
		}
		n *= sign
		s.Total += n
		s.ByOutcome[app.Outcome(outcome)] += n
		s.ByReason[reason] += n
		if unreadable(method, reason) {
			s.Unreadable += n
		} else {
			s.ByMethod[app.Method(method)] += n
		}
		if outcome == string(app.Admit) && hour >= 0 && hour < 24 {
			s.Hourly[hour] += n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: summary: %w", err)
	}
	return nil
}

// unreadable reports whether a scan's text was no pass at all: such a scan
// was not checked, online or offline, and is counted apart.
func unreadable(method, reason string) bool {
	return method != string(app.Manual) && (reason == "malformed" || reason == "unsupported_format")
}

// hourCase is an SQL expression giving the local hour of the time (Unix
// nanoseconds) in column col. The boundaries are computed in Go, so a day
// with a daylight saving change comes out right.
func (l *Ledger) hourCase(start time.Time, col string) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("CASE")
	for i := 1; i < 24; i++ {
		t := time.Date(start.Year(), start.Month(), start.Day(), i, 0, 0, 0, l.opts.Location)
		if t.Hour() < i {
			// A skipped hour (clocks forward): it starts, empty, where the
			// next one does.
			t = t.Add(time.Hour)
		}
		fmt.Fprintf(&b, " WHEN %s < ? THEN %d", col, i-1)
		args = append(args, t.UnixNano())
	}
	b.WriteString(" ELSE 23 END")
	return b.String(), args
}

// outagesBetween returns the outages overlapping [lo, hi), oldest first;
// an ongoing one has a zero End.
func outagesBetween(ctx context.Context, q querier, loc *time.Location, lo, hi int64) ([]app.Outage, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.outage_id, s.at, s.cause, e.at, coalesce(e.cause, '')
		FROM outage_events s LEFT JOIN outage_events e ON e.outage_id = s.outage_id AND e.kind = 'end'
		WHERE s.kind = 'start' AND s.at < ? AND (e.at IS NULL OR e.at >= ?)
		ORDER BY s.at, s.outage_id`, hi, lo)
	if err != nil {
		return nil, fmt.Errorf("storage: outages: %w", err)
	}
	defer rows.Close()
	var out []app.Outage
	for rows.Next() {
		var o app.Outage
		var startAt int64
		var endAt sql.NullInt64
		var endCause string
		if err := rows.Scan(&o.ID, &startAt, &o.Cause, &endAt, &endCause); err != nil {
			return nil, fmt.Errorf("storage: outages: %w", err)
		}
		o.Start = time.Unix(0, startAt).In(loc)
		if endAt.Valid {
			o.End = time.Unix(0, endAt.Int64).In(loc)
			o.Stopped = endCause == stoppedCause
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Paging bounds of List.
const (
	defaultPage = 50
	maxPage     = 1000
)

// List returns a page of entries matching f, newest first (the latest
// visitors are what staff look for), with the number of all matching
// entries. Query matches the pass name or the visitor name.
// Phone numbers come masked; superseded entries are listed too, since the
// review shows the record as it stands.
func (l *Ledger) List(ctx context.Context, f app.Filter) ([]app.Entry, int, error) {
	var where []string
	var args []any
	if !f.Day.IsZero() {
		start, end, _ := l.dayBounds(f.Day)
		where = append(where, "e.at >= ? AND e.at < ?")
		args = append(args, start.UnixNano(), end.UnixNano())
	}
	if f.Outcome != "" {
		where = append(where, "e.outcome = ?")
		args = append(args, string(f.Outcome))
	}
	if f.Method != "" {
		where = append(where, "e.method = ?")
		args = append(args, string(f.Method))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "(instr(e.name, ?) > 0 OR instr(e.visitor_name, ?) > 0)")
		args = append(args, q, q)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := l.r.QueryRowContext(ctx, `SELECT count(*) FROM entries e `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("storage: list: %w", err)
	}
	limit, offset := f.Limit, f.Offset
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	offset = max(offset, 0)
	entries, err := l.queryEntries(ctx, cond+` ORDER BY e.at DESC, e.seq DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return entries, total, nil
}

// RevealPhone returns a manual entry's phone number whole. The engine checks
// that a manager asks and audits it.
func (l *Ledger) RevealPhone(ctx context.Context, entryID string) (string, error) {
	var sealed []byte
	err := l.r.QueryRowContext(ctx, `SELECT phone_enc FROM entries WHERE id = ?`, entryID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("entry %s: %w", entryID, app.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("storage: %w", err)
	}
	if len(sealed) == 0 {
		return "", fmt.Errorf("entry %s has no phone number: %w", entryID, app.ErrNotFound)
	}
	return l.phone.open(sealed, entryID)
}
