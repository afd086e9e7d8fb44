-- PassDesk ledger, version 1.
--
-- The chained tables (entries, outage_events, audit) are insert-only: each
-- row carries prev_hash, the hash of the row before it, and hash, SHA-256
-- over its own canonical encoding (see chain.go). Triggers refuse UPDATE,
-- and refuse DELETE on entries unless a purge has opened purge_gate in the
-- same transaction, and then only for rows older than its cutoff.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE entries (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	id            TEXT    NOT NULL UNIQUE,
	at            INTEGER NOT NULL, -- Unix nanoseconds, UTC
	venue_id      TEXT    NOT NULL,
	kiosk_id      TEXT    NOT NULL,
	outcome       TEXT    NOT NULL CHECK (outcome IN ('admit', 'deny', 'duplicate')),
	method        TEXT    NOT NULL CHECK (method IN ('online', 'offline', 'manual')),
	reason        TEXT    NOT NULL,
	scheme        TEXT    NOT NULL,
	issuer        TEXT    NOT NULL,
	status        INTEGER NOT NULL,
	name          TEXT    NOT NULL,
	cid           BLOB    NOT NULL,
	sub_mac       BLOB    NOT NULL, -- HMAC-SHA256(venue secret, sub); never the raw sub
	visitor_name  TEXT    NOT NULL,
	phone_enc     BLOB    NOT NULL, -- AES-256-GCM: nonce || ciphertext, entry ID as AAD
	manual_reason TEXT    NOT NULL,
	staff         TEXT    NOT NULL,
	note          TEXT    NOT NULL,
	outage_id     INTEGER NOT NULL,
	corrects      TEXT    NOT NULL,
	prev_hash     BLOB    NOT NULL,
	hash          BLOB    NOT NULL
);

-- Covers the daily summary's grouping without touching the table.
CREATE INDEX entries_day ON entries (at, outcome, method, reason, id);
CREATE INDEX entries_corrects ON entries (corrects);

-- Uploads to the central register: insert-only, one row per entry.
CREATE TABLE uploads (
	entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
	at       INTEGER NOT NULL
);

-- Outages as insert-only start and end events; an outage's ID is the seq
-- of its start event.
CREATE TABLE outage_events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	outage_id INTEGER NOT NULL,
	kind      TEXT    NOT NULL CHECK (kind IN ('start', 'end')),
	at        INTEGER NOT NULL,
	cause     TEXT    NOT NULL,
	prev_hash BLOB    NOT NULL,
	hash      BLOB    NOT NULL,
	UNIQUE (outage_id, kind)
);

CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER NOT NULL,
	actor     TEXT    NOT NULL,
	action    TEXT    NOT NULL,
	detail    TEXT    NOT NULL,
	prev_hash BLOB    NOT NULL,
	hash      BLOB    NOT NULL
);

-- Anchors left by purges: the seq and hash of the last row removed from a
-- chained table, authenticated with HMAC-SHA256 under the venue secret. The
-- newest anchor of a table is where its chain now starts.
CREATE TABLE anchors (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	tbl       TEXT    NOT NULL,
	seq       INTEGER NOT NULL,
	hash      BLOB    NOT NULL,
	at        INTEGER NOT NULL,
	mac       BLOB    NOT NULL
);

-- A purge inserts its cutoff here, deletes, and removes the row again, all in
-- one transaction; outside a purge the table is empty.
CREATE TABLE purge_gate (
	cutoff INTEGER NOT NULL
);

CREATE TABLE people (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT    NOT NULL,
	role       TEXT    NOT NULL CHECK (role IN ('staff', 'manager')),
	active     INTEGER NOT NULL,
	pin_hash   BLOB    NOT NULL, -- argon2id(PIN, the ledger's PIN salt)
	created_at INTEGER NOT NULL
);

-- PINs are unique among active people, so one argon2id run finds who signs in.
CREATE UNIQUE INDEX people_active_pin ON people (pin_hash) WHERE active = 1;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
	SELECT RAISE(ABORT, 'ledger entries are never updated: record a correction');
END;

CREATE TRIGGER entries_purge_only BEFORE DELETE ON entries
WHEN NOT EXISTS (SELECT 1 FROM purge_gate WHERE OLD.at < cutoff)
BEGIN
	SELECT RAISE(ABORT, 'ledger entries are removed only by a purge past the retention');
END;

CREATE TRIGGER uploads_no_update BEFORE UPDATE ON uploads
BEGIN
	SELECT RAISE(ABORT, 'uploads are never updated');
END;

CREATE TRIGGER outage_events_no_update BEFORE UPDATE ON outage_events
BEGIN
	SELECT RAISE(ABORT, 'outage events are never updated');
END;

CREATE TRIGGER outage_events_no_delete BEFORE DELETE ON outage_events
BEGIN
	SELECT RAISE(ABORT, 'outage events are never deleted');
END;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is never updated');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is never deleted');
END;

CREATE TRIGGER anchors_no_update BEFORE UPDATE ON anchors
BEGIN
	SELECT RAISE(ABORT, 'anchors are never updated');
END;
