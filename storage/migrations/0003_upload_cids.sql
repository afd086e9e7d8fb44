-- Entries keep a venue-keyed hash of the credential ID (like sub), so the
-- ledger does not link one holder's visits across venues. The raw ID is
-- kept here, outside the hash chain, only until the entry reaches the
-- central register, which needs it; MarkUploaded deletes it.

CREATE TABLE upload_cids (
	entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	cid      BLOB NOT NULL
) WITHOUT ROWID;
