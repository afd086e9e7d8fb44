-- Entries keep a venue-keyed hash of the credential ID (like sub), so the
-- ledger does not link one holder's visits across venues. The raw ID is
-- kept here, outside the hash chain, only until the entry reaches the
-- central register, which needs it; MarkUploaded deletes it.

CREATE TABLE upload_cids (
	entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	cid      BLOB NOT NULL
) WITHOUT ROWID;

-- Entries written before this migration hold the raw ID in the chain
-- (rows are never edited); those still waiting for the register get it
-- here too, so their upload carries it.
INSERT INTO upload_cids (entry_id, cid)
	SELECT e.id, e.cid FROM entries e
	WHERE length(e.cid) = 16 AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.entry_id = e.id);
