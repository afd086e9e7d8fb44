package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"passdesk/app"
)

// RecentAdmissions returns the scans admitted at or after since, oldest
// first, for the engine to rebuild its duplicate memory when it starts: a
// visitor admitted just before a restart is "already checked in" after it,
// not a second visitor. A presentation admitted at time t was made no later
// than t+skew and is fresh until at most t+window+2·skew, so the engine asks
// from now-(window+2·skew). Manual entries are not presentations and are
// left out; so are admissions a later correction superseded (the service
// revoked them), which a new scan must check again. Phone numbers come
// masked, as everywhere.
func (l *Ledger) RecentAdmissions(ctx context.Context, since time.Time) ([]app.Entry, error) {
	es, err := l.queryEntries(ctx, `WHERE e.at >= ? AND e.outcome = 'admit' AND e.method IN ('online', 'offline')
		AND NOT EXISTS (SELECT 1 FROM entries c WHERE c.corrects = e.id)
		ORDER BY e.at, e.seq`, since.UTC().UnixNano())
	if err != nil {
		return nil, err
	}
	return es, l.presentationKeys(ctx, es)
}

// keepPresentationKey keeps an admitted scan's presentation key.
func keepPresentationKey(ctx context.Context, tx *sql.Tx, e app.Entry) error {
	if len(e.Key) == 0 || e.Outcome != app.Admit {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO presentation_keys (entry_id, key) VALUES (?, ?)`, e.ID, e.Key)
	return err
}

// presentationKeys puts the kept presentation keys into entries.
func (l *Ledger) presentationKeys(ctx context.Context, entries []app.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	st, err := l.r.PrepareContext(ctx, `SELECT key FROM presentation_keys WHERE entry_id = ?`)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer st.Close()
	for i := range entries {
		var k []byte
		err := st.QueryRowContext(ctx, entries[i].ID).Scan(&k)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		entries[i].Key = k
	}
	return nil
}
