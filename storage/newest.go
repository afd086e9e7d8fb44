package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Newest is the time of the newest entry, zero for an empty ledger. The
// engine never verifies at an earlier time: a kiosk clock set back does
// not make old screenshots fresh again.
func (l *Ledger) Newest(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	if err := l.r.QueryRowContext(ctx, `SELECT max(at) FROM entries`).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("storage: %w", err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(0, at.Int64), nil
}
