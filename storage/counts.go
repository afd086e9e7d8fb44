package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// countKey is one entry_counts row's key.
type countKey struct {
	quarter                 int64
	outcome, method, reason string
}

// verifyCounts checks the per-quarter counts the triggers keep against the
// entries themselves, so a summary never shows numbers the record does not
// hold.
func (l *Ledger) verifyCounts(ctx context.Context, tx *sql.Tx) error {
	broken := func(k countKey, kept, held int) error {
		at := time.Unix(0, k.quarter*quarterNanos).In(l.opts.Location).Format("2006-01-02 15:04")
		return &ChainError{Table: "entry_counts", Problem: fmt.Sprintf(
			"the summary counts %d %s/%s/%s entries in the quarter hour from %s, the ledger holds %d",
			kept, k.outcome, k.method, k.reason, at, held)}
	}
	kept := map[countKey]int{}
	rows, err := tx.QueryContext(ctx, `SELECT quarter, outcome, method, reason, n FROM entry_counts`)
	if err != nil {
		return fmt.Errorf("storage: verify counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k countKey
		var n int
		if err := rows.Scan(&k.quarter, &k.outcome, &k.method, &k.reason, &n); err != nil {
			return fmt.Errorf("storage: verify counts: %w", err)
		}
		kept[k] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: verify counts: %w", err)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT at / 900000000000, outcome, method, reason, count(*) FROM entries GROUP BY 1, 2, 3, 4`)
	if err != nil {
		return fmt.Errorf("storage: verify counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k countKey
		var n int
		if err := rows.Scan(&k.quarter, &k.outcome, &k.method, &k.reason, &n); err != nil {
			return fmt.Errorf("storage: verify counts: %w", err)
		}
		if kept[k] != n {
			return broken(k, kept[k], n)
		}
		delete(kept, k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: verify counts: %w", err)
	}
	for k, n := range kept {
		return broken(k, n, 0)
	}
	return nil
}
