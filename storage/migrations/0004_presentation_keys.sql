-- An admitted scan keeps its presentation key (a hash of what the pass
-- signs) so a kiosk that restarts can rebuild its duplicate memory: the
-- same QR shown again while it is fresh is "already checked in", not a
-- second visitor. Outside the hash chain; it goes with its entry.

CREATE TABLE presentation_keys (
	entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	key      BLOB NOT NULL
) WITHOUT ROWID;
