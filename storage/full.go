package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"passdesk/app"
)

// When the disk is full nothing can be committed, yet staff must still sign
// in to take paper notes and record visitors once space is back. While
// writes fail for lack of space the ledger keeps, in memory: when the period
// began, how many entries and other writes it refused, the audit rows it
// could not write (in order, with their times) and the sign-in failure count
// (so the lockout still holds). The first write that commits afterwards, or
// Resume, writes the queued audit rows and one "not_recorded" audit event
// that says what the period was; a kill before that loses them.

// maxQueuedAudit bounds the audit rows kept in memory; the period event
// counts those beyond it.
const maxQueuedAudit = 1000

// ActionNotRecorded is the audit action of the event that records a period
// in which nothing could be written.
const ActionNotRecorded = "not_recorded"

// Unrecorded is the state of a period in which writes fail for lack of
// space, for the screen: since when, and what was not recorded. It is the
// engine's type, so the ledger satisfies app.Ledger.
type Unrecorded = app.Unrecorded

// unrecorded is a Ledger's no-space period; mu guards it.
type unrecorded struct {
	mu      sync.Mutex
	state   Unrecorded
	audit   []auditRow // at, actor, action, detail set
	dropped int
	// PIN failure counts kept in memory while they cannot be written, by
	// prompt; the engine's PIN guard holds the lockout meanwhile.
	pins map[app.Prompt]app.PINFailures
}

// noSpace reports whether err is a write refused for lack of space.
func noSpace(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC
	}
	return errors.Is(err, syscall.ENOSPC)
}

// Unrecorded returns the current no-space period; its Since is zero when
// writes work.
func (l *Ledger) Unrecorded() Unrecorded {
	l.full.mu.Lock()
	defer l.full.mu.Unlock()
	s := l.full.state
	s.Queued = len(l.full.audit)
	return s
}

// refused notes a failed write: one refused for lack of space opens or
// extends the period. entry says it was an entry's (Record's) write.
func (l *Ledger) refused(err error, entry bool) {
	if !noSpace(err) {
		return
	}
	now := l.now()
	l.full.mu.Lock()
	defer l.full.mu.Unlock()
	if l.full.state.Since.IsZero() {
		l.full.state.Since = now
	}
	l.full.state.Last = now
	l.full.state.Writes++
	if entry {
		l.full.state.Entries++
	}
}

// Resume writes what a no-space period left in memory: its queued audit
// rows, the sign-in lock state and the period's not_recorded event, in one
// transaction. It returns nil when nothing is pending or all was written,
// and the write's error while there is still no space; the engine may call
// it on a timer so space coming back is seen without waiting for a scan.
func (l *Ledger) Resume(ctx context.Context) error {
	l.full.mu.Lock()
	defer l.full.mu.Unlock()
	f := &l.full
	if f.state.Since.IsZero() && len(f.audit) == 0 && len(f.pins) == 0 {
		return nil
	}
	now := l.now()
	err := l.writeTx(ctx, func(tx *sql.Tx) error {
		for _, r := range f.audit {
			if err := l.appendAudit(ctx, tx, time.Unix(0, r.at), r.actor, r.action, r.detail); err != nil {
				return err
			}
		}
		for at, pf := range f.pins {
			if err := putPINFailures(ctx, tx, at, pf); err != nil {
				return err
			}
		}
		if f.state.Since.IsZero() {
			return nil
		}
		return l.appendAudit(ctx, tx, now, "", ActionNotRecorded, f.describe(l.opts.Location, now))
	})
	if err != nil {
		if noSpace(err) {
			f.state.Last = now
		}
		return notRecorded("resume after a full disk", err)
	}
	f.state, f.audit, f.dropped = Unrecorded{}, nil, 0
	f.pins = nil
	return nil
}

// periodFormat starts a not_recorded event's detail; UnrecordedPeriods
// reads the times back from it.
const periodFormat = "no space to write from %s to %s"

// describe says what the period was, for its audit event; f.mu is held.
func (f *unrecorded) describe(loc *time.Location, end time.Time) string {
	s := fmt.Sprintf(periodFormat+": %d entries and %d other writes not recorded",
		f.state.Since.In(loc).Format(time.RFC3339), end.In(loc).Format(time.RFC3339),
		f.state.Entries, f.state.Writes-f.state.Entries)
	if len(f.audit) > 0 || f.dropped > 0 {
		s += fmt.Sprintf("; %d audit events kept in memory and written now", len(f.audit))
	}
	if f.dropped > 0 {
		s += fmt.Sprintf(", %d more lost", f.dropped)
	}
	return s
}

// queueAudit keeps an audit row that could not be written for lack of space.
func (l *Ledger) queueAudit(at time.Time, actor, action, detail string) {
	l.full.mu.Lock()
	defer l.full.mu.Unlock()
	if len(l.full.audit) >= maxQueuedAudit {
		l.full.dropped++
		return
	}
	l.full.state.Writes-- // kept, not lost
	l.full.audit = append(l.full.audit, auditRow{at: at.UTC().UnixNano(), actor: actor, action: action, detail: detail})
}

// queuePINFailures keeps a prompt's failure count that could not be written
// for lack of space; Resume writes the latest one.
func (l *Ledger) queuePINFailures(at app.Prompt, pf app.PINFailures) {
	l.full.mu.Lock()
	defer l.full.mu.Unlock()
	if l.full.pins == nil {
		l.full.pins = map[app.Prompt]app.PINFailures{}
	}
	l.full.state.Writes-- // kept, not lost
	l.full.pins[at] = pf
}

// UnrecordedPeriod is a period in which the ledger could not write, as its
// not_recorded event tells it.
type UnrecordedPeriod struct {
	Start, End time.Time
	Detail     string // what was not recorded, in words
}

// UnrecordedPeriods returns the periods without records that overlap the
// local day of t, oldest first.
func (l *Ledger) UnrecordedPeriods(ctx context.Context, t time.Time) ([]UnrecordedPeriod, error) {
	start, end, _ := l.dayBounds(t)
	// A period's event is written when it ends: read from the day's start.
	rows, err := l.r.QueryContext(ctx, `SELECT detail FROM audit WHERE action = ? AND at >= ? ORDER BY seq`,
		ActionNotRecorded, start.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("storage: periods without records: %w", err)
	}
	defer rows.Close()
	var out []UnrecordedPeriod
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("storage: periods without records: %w", err)
		}
		var from, to string
		if _, err := fmt.Sscanf(d, periodFormat, &from, &to); err != nil {
			continue // not one of ours: the chain check speaks for the row
		}
		p := UnrecordedPeriod{Detail: d}
		var e1, e2 error
		p.Start, e1 = time.Parse(time.RFC3339, from)
		p.End, e2 = time.Parse(time.RFC3339, strings.TrimSuffix(to, ":"))
		if e1 != nil || e2 != nil || !p.Start.Before(end) || p.End.Before(start) {
			continue
		}
		p.Start, p.End = p.Start.In(l.opts.Location), p.End.In(l.opts.Location)
		out = append(out, p)
	}
	return out, rows.Err()
}
