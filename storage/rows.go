package storage

import (
	"database/sql"
	"fmt"
)

// chainColumns lists each chained table's columns in scan order: seq,
// prev_hash, hash, then the hashed fields in their canonical order.
var chainColumns = map[string]string{
	"entries": `seq, prev_hash, hash, id, at, venue_id, kiosk_id, outcome, method, reason,
		scheme, issuer, status, name, cid, sub_mac, visitor_name, phone_enc,
		manual_reason, staff, note, outage_id, corrects, rule`,
	"outage_events": `seq, prev_hash, hash, outage_id, kind, at, cause`,
	"audit":         `seq, prev_hash, hash, at, actor, action, detail`,
}

// entryRow is an entries row as stored.
type entryRow struct {
	seq                       int64
	prevHash, hash            []byte
	id                        string
	at                        int64
	venueID, kioskID          string
	outcome, method, reason   string
	scheme, issuer            string
	status                    int64
	name                      string
	cid, subMAC               []byte
	visitorName               string
	phoneEnc                  []byte
	manualReason, staff, note string
	outageID                  int64
	corrects                  string
	rule                      string // since migration 5
}

func (r *entryRow) dest() []any {
	return []any{&r.seq, &r.prevHash, &r.hash, &r.id, &r.at, &r.venueID, &r.kioskID,
		&r.outcome, &r.method, &r.reason, &r.scheme, &r.issuer, &r.status, &r.name,
		&r.cid, &r.subMAC, &r.visitorName, &r.phoneEnc, &r.manualReason, &r.staff,
		&r.note, &r.outageID, &r.corrects, &r.rule}
}

func (r *entryRow) sum() []byte {
	c := newCanon("entries", r.seq, r.prevHash)
	c.str(r.id)
	c.int(r.at)
	c.str(r.venueID)
	c.str(r.kioskID)
	c.str(r.outcome)
	c.str(r.method)
	c.str(r.reason)
	c.str(r.scheme)
	c.str(r.issuer)
	c.int(r.status)
	c.str(r.name)
	c.bytes(r.cid)
	c.bytes(r.subMAC)
	c.str(r.visitorName)
	c.bytes(r.phoneEnc)
	c.str(r.manualReason)
	c.str(r.staff)
	c.str(r.note)
	c.int(r.outageID)
	c.str(r.corrects)
	// A column added later is hashed only when set, so the rows written
	// before it (where it reads as '') keep their hashes, while clearing
	// or setting it on any row breaks the chain.
	if r.rule != "" {
		c.str(r.rule)
	}
	return c.sum()
}

// outageEvent is an outage_events row.
type outageEvent struct {
	seq            int64
	prevHash, hash []byte
	outageID       int64
	kind           string
	at             int64
	cause          string
}

func (r *outageEvent) dest() []any {
	return []any{&r.seq, &r.prevHash, &r.hash, &r.outageID, &r.kind, &r.at, &r.cause}
}

func (r *outageEvent) sum() []byte {
	c := newCanon("outage_events", r.seq, r.prevHash)
	c.int(r.outageID)
	c.str(r.kind)
	c.int(r.at)
	c.str(r.cause)
	return c.sum()
}

// auditRow is an audit row.
type auditRow struct {
	seq                   int64
	prevHash, hash        []byte
	at                    int64
	actor, action, detail string
}

func (r *auditRow) dest() []any {
	return []any{&r.seq, &r.prevHash, &r.hash, &r.at, &r.actor, &r.action, &r.detail}
}

func (r *auditRow) sum() []byte {
	c := newCanon("audit", r.seq, r.prevHash)
	c.int(r.at)
	c.str(r.actor)
	c.str(r.action)
	c.str(r.detail)
	return c.sum()
}

// scanChained reads one row of a chained table and recomputes its hash.
func scanChained(table string, rows *sql.Rows) (seq int64, prev, hash, sum []byte, err error) {
	var row interface {
		dest() []any
		sum() []byte
	}
	switch table {
	case "entries":
		row = &entryRow{}
	case "outage_events":
		row = &outageEvent{}
	case "audit":
		row = &auditRow{}
	default:
		return 0, nil, nil, nil, fmt.Errorf("no chained table %q", table)
	}
	d := row.dest()
	if err := rows.Scan(d...); err != nil {
		// Report the seq when at least that much can be read.
		var raw []any
		for range d {
			raw = append(raw, new(any))
		}
		if rows.Scan(raw...) == nil {
			if s, ok := (*raw[0].(*any)).(int64); ok {
				seq = s
			}
		}
		return seq, nil, nil, nil, err
	}
	return *d[0].(*int64), *d[1].(*[]byte), *d[2].(*[]byte), row.sum(), nil
}
