-- Entries name the business rule a rules_failed deny failed (HC1), as
-- "ID@Version", so a manager can tell which rule turned a visitor away.
-- The column joins the hash chain only where it is set (see rows.go):
-- rows written before it, all with rule '', keep the hashes they had.

ALTER TABLE entries ADD COLUMN rule TEXT NOT NULL DEFAULT '';
