-- Entry counts per UTC quarter hour, kept by triggers, so a day's summary
-- reads at most a few hundred rows however busy the day. Every time zone's
-- offset is a whole number of quarter hours, so quarters fall inside local
-- hours. Verify checks these counts against the entries.

CREATE TABLE entry_counts (
	quarter INTEGER NOT NULL, -- at / 900 s
	outcome TEXT    NOT NULL,
	method  TEXT    NOT NULL,
	reason  TEXT    NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (quarter, outcome, method, reason)
) WITHOUT ROWID;

CREATE TRIGGER entries_count_insert AFTER INSERT ON entries
BEGIN
	INSERT INTO entry_counts (quarter, outcome, method, reason, n)
	VALUES (NEW.at / 900000000000, NEW.outcome, NEW.method, NEW.reason, 1)
	ON CONFLICT (quarter, outcome, method, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entries_count_delete AFTER DELETE ON entries
BEGIN
	UPDATE entry_counts SET n = n - 1
	WHERE quarter = OLD.at / 900000000000 AND outcome = OLD.outcome
		AND method = OLD.method AND reason = OLD.reason;
	DELETE FROM entry_counts
	WHERE quarter = OLD.at / 900000000000 AND outcome = OLD.outcome
		AND method = OLD.method AND reason = OLD.reason AND n <= 0;
END;

INSERT INTO entry_counts (quarter, outcome, method, reason, n)
SELECT at / 900000000000, outcome, method, reason, count(*) FROM entries GROUP BY 1, 2, 3, 4;
