package storage

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// chainDomain starts every hashed encoding, so a ledger hash is never a
// hash of anything else.
const chainDomain = "PassDesk ledger chain v1"

// canon is the canonical encoding of a row: each value as a one-byte type
// tag, then an 8-byte big-endian integer or a 4-byte length and the bytes.
// Empty text and empty blobs encode alike, so NULL-free columns suffice.
type canon struct{ b []byte }

func (c *canon) int(v int64) {
	c.b = append(c.b, 'i')
	c.b = binary.BigEndian.AppendUint64(c.b, uint64(v))
}

func (c *canon) str(s string) {
	c.b = append(c.b, 's')
	c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(s)))
	c.b = append(c.b, s...)
}

func (c *canon) bytes(p []byte) {
	c.b = append(c.b, 'b')
	c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(p)))
	c.b = append(c.b, p...)
}

// newCanon starts a row's encoding: domain, table, seq and the previous hash.
func newCanon(table string, seq int64, prev []byte) *canon {
	c := &canon{b: make([]byte, 0, 256)}
	c.str(chainDomain)
	c.str(table)
	c.int(seq)
	c.bytes(prev)
	return c
}

func (c *canon) sum() []byte {
	h := sha256.Sum256(c.b)
	return h[:]
}

// genesis is the prev_hash of a table's first row.
var genesis = make([]byte, sha256.Size)

// ChainError names the first broken row of a chained table.
type ChainError struct {
	Table   string // entries, outage_events, audit
	Seq     int64  // the first row found broken (0 when the table's anchor is)
	Problem string
}

func (e *ChainError) Error() string {
	if e.Seq == 0 {
		return fmt.Sprintf("ledger chain broken in %s: %s", e.Table, e.Problem)
	}
	return fmt.Sprintf("ledger chain broken in %s at row %d: %s", e.Table, e.Seq, e.Problem)
}

// chainTables are verified in this order.
var chainTables = []string{"entries", "outage_events", "audit"}

// lastSeq is the highest seq a table has ever used (AUTOINCREMENT keeps it
// in sqlite_sequence even after the rows are gone).
func lastSeq(ctx context.Context, q querier, table string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = ?`, table).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// nextLink returns the seq and prev_hash of the next row of table, inside
// the writing transaction (which holds SQLite's write lock).
//
// When the last row was removed by hand, the chain goes on from the newest
// row still there and the manager is told: the kiosk keeps recording, and
// Verify still reports the gap.
func (l *Ledger) nextLink(ctx context.Context, tx *sql.Tx, table string) (int64, []byte, error) {
	last, err := lastSeq(ctx, tx, table)
	if err != nil {
		return 0, nil, err
	}
	if last == 0 {
		return 1, genesis, nil
	}
	var h []byte
	err = tx.QueryRowContext(ctx, `SELECT hash FROM `+table+` WHERE seq = ?`, last).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		// Purged up to the end: the newest anchor holds the head.
		err = tx.QueryRowContext(ctx, `SELECT hash FROM anchors WHERE tbl = ? AND seq = ? ORDER BY id DESC LIMIT 1`, table, last).Scan(&h)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, `SELECT hash FROM `+table+` ORDER BY seq DESC LIMIT 1`).Scan(&h)
			if errors.Is(err, sql.ErrNoRows) {
				h, err = genesis, nil
			}
			l.notice(fmt.Sprintf("the ledger's %s were changed outside PassDesk (row %d is missing); recording goes on, and passdesk ledger verify names the damage", table, last))
		}
	}
	if err != nil {
		return 0, nil, err
	}
	return last + 1, h, nil
}

// anchor is where a purged table's chain now starts.
type anchor struct {
	seq  int64
	hash []byte
	at   int64
	mac  []byte
}

func (l *Ledger) anchorMAC(table string, a anchor) []byte {
	var seq, at [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(a.seq))
	binary.BigEndian.PutUint64(at[:], uint64(a.at))
	return l.mac([]byte("anchor"), []byte(table), seq[:], a.hash, at[:])
}

// head is a chained table's newest row as the ledger last wrote it, kept in
// meta under the venue secret's HMAC: rows cut from the end, or appended or
// rewritten by hand, no longer match it.
type head struct {
	seq  int64
	hash []byte
}

func (l *Ledger) headMAC(table string, h head) []byte {
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(h.seq))
	return l.mac([]byte("head"), []byte(table), seq[:], h.hash)
}

// setHead records the table's new head in the writing transaction.
func (l *Ledger) setHead(ctx context.Context, tx *sql.Tx, table string, seq int64, hash []byte) error {
	h := head{seq: seq, hash: hash}
	v := binary.BigEndian.AppendUint64(nil, uint64(seq))
	v = append(v, hash...)
	v = append(v, l.headMAC(table, h)...)
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, "head:"+table, v)
	return err
}

// readHead returns the recorded head, ok false when there is none, and an
// error when it is malformed or its MAC does not match.
func (l *Ledger) readHead(ctx context.Context, q querier, table string) (head, bool, error) {
	var v []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, "head:"+table).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, err
	}
	if len(v) != 8+2*sha256.Size {
		return head{}, false, errors.New("malformed")
	}
	h := head{seq: int64(binary.BigEndian.Uint64(v)), hash: v[8 : 8+sha256.Size]}
	if !hmac.Equal(v[8+sha256.Size:], l.headMAC(table, h)) {
		return head{}, false, errors.New("altered")
	}
	return h, true, nil
}

// Verify walks every chained table in seq order and returns a *ChainError
// naming the first broken row: a changed field, a missing, inserted or
// reordered row, an altered anchor, or rows cut from or added to the end.
// It reads one consistent snapshot, so it may run while the kiosk writes.
func (l *Ledger) Verify(ctx context.Context) error {
	tx, err := l.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("storage: verify: %w", err)
	}
	defer tx.Rollback()
	for _, t := range chainTables {
		if err := l.verifyTable(ctx, tx, t); err != nil {
			return err
		}
	}
	return l.verifyCounts(ctx, tx)
}

// verifyTable checks one chained table in three steps: where the chain
// starts (genesis, or the last purge's anchor), every row against the one
// before, and where it ends (the head record and the sequence counter).
func (l *Ledger) verifyTable(ctx context.Context, tx *sql.Tx, table string) error {
	broken := func(seq int64, format string, args ...any) error {
		return &ChainError{Table: table, Seq: seq, Problem: fmt.Sprintf(format, args...)}
	}
	a, err := l.chainStart(ctx, tx, table, broken)
	if err != nil {
		return err
	}
	wantSeq, wantPrev, err := verifyRows(ctx, tx, table, a, broken)
	if err != nil {
		return err
	}
	return l.verifyEnd(ctx, tx, table, wantSeq, wantPrev, broken)
}

type brokenFunc func(seq int64, format string, args ...any) error

// chainStart reads the table's purge anchor, checked against its MAC; a
// zero anchor (seq 0, genesis hash) when nothing was purged.
func (l *Ledger) chainStart(ctx context.Context, tx *sql.Tx, table string, broken brokenFunc) (anchor, error) {
	var a anchor
	err := tx.QueryRowContext(ctx, `SELECT seq, hash, at, mac FROM anchors WHERE tbl = ? ORDER BY id DESC LIMIT 1`, table).
		Scan(&a.seq, &a.hash, &a.at, &a.mac)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return anchor{hash: genesis}, nil
	case err != nil:
		return a, broken(0, "its purge anchor cannot be read: %v", err)
	case !hmac.Equal(a.mac, l.anchorMAC(table, a)):
		return a, broken(0, "the purge anchor (row %d) is not the one the last purge wrote", a.seq)
	}
	return a, nil
}

// verifyRows walks the rows in seq order from the anchor and returns the
// seq and prev_hash the next row would have.
func verifyRows(ctx context.Context, tx *sql.Tx, table string, a anchor, broken brokenFunc) (int64, []byte, error) {
	wantSeq, wantPrev := a.seq+1, a.hash
	rows, err := tx.QueryContext(ctx, `SELECT `+chainColumns[table]+` FROM `+table+` ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("storage: verify %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		seq, prev, hash, sum, err := scanChained(table, rows)
		if err != nil {
			return 0, nil, broken(seq, "the row cannot be read: %v", err)
		}
		if err := checkRow(seq, wantSeq, prev, wantPrev, hash, sum, a, broken); err != nil {
			return 0, nil, err
		}
		wantSeq, wantPrev = seq+1, hash
	}
	if err := rows.Err(); err != nil {
		return 0, nil, broken(wantSeq, "the table cannot be read: %v", err)
	}
	return wantSeq, wantPrev, nil
}

// checkRow is one row against what the chain so far expects.
func checkRow(seq, wantSeq int64, prev, wantPrev, hash, sum []byte, a anchor, broken brokenFunc) error {
	switch {
	case seq > wantSeq && wantSeq == seq-1:
		return broken(seq, "row %d before it is missing", wantSeq)
	case seq > wantSeq:
		return broken(seq, "rows %d to %d before it are missing", wantSeq, seq-1)
	case seq < wantSeq:
		return broken(seq, "it comes before the purge anchor (row %d)", wantSeq-1)
	case !bytes.Equal(prev, wantPrev):
		if seq == 1 || (a.seq != 0 && seq == a.seq+1) {
			return broken(seq, "its prev_hash does not match the start of the chain")
		}
		return broken(seq, "its prev_hash does not match the hash of row %d (rows removed, swapped or reordered)", seq-1)
	case !bytes.Equal(hash, sum):
		return broken(seq, "its contents do not match its hash (a field was changed)")
	}
	return nil
}

// verifyEnd checks that the chain ends where PassDesk last wrote: the
// head record and the sequence counter agree with the last row.
func (l *Ledger) verifyEnd(ctx context.Context, tx *sql.Tx, table string, wantSeq int64, wantPrev []byte, broken brokenFunc) error {
	last, err := lastSeq(ctx, tx, table)
	if err != nil {
		return fmt.Errorf("storage: verify %s: %w", table, err)
	}
	h, ok, err := l.readHead(ctx, tx, table)
	switch {
	case err != nil:
		return broken(0, "the record of its last row is %v", err)
	case !ok && wantSeq > 1:
		return broken(wantSeq-1, "the record of the last row written is missing")
	case ok && h.seq > wantSeq-1:
		return missingAtEnd(wantSeq, h.seq, broken)
	case ok && h.seq < wantSeq-1:
		return broken(h.seq+1, "it was added after the last row written by PassDesk")
	case ok && !bytes.Equal(h.hash, wantPrev):
		return broken(h.seq, "it is not the last row written by PassDesk (rewritten)")
	}
	if last >= wantSeq {
		return missingAtEnd(wantSeq, last, broken)
	}
	if last < wantSeq-1 {
		return broken(wantSeq-1, "the sequence counter (%d) is behind the last row", last)
	}
	return nil
}

func missingAtEnd(from, to int64, broken brokenFunc) error {
	if from == to {
		return broken(from, "the last row is missing")
	}
	return broken(from, "rows %d to %d at the end are missing", from, to)
}
