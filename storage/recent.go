package storage

import (
	"context"
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
	return l.queryEntries(ctx, `WHERE e.at >= ? AND e.outcome = 'admit' AND e.method IN ('online', 'offline')
		AND NOT EXISTS (SELECT 1 FROM entries c WHERE c.corrects = e.id)
		ORDER BY e.at, e.seq`, since.UTC().UnixNano())
}
