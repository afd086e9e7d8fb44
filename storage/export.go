package storage

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"passdesk/app"
)

// Export writes the local day containing day as "csv" or "pdf". Phone
// numbers appear masked in both; the engine audits exports.
func (l *Ledger) Export(ctx context.Context, day time.Time, format string, w io.Writer) error {
	switch format {
	case "csv":
		return l.exportCSV(ctx, day, w)
	case "pdf":
		return l.exportPDF(ctx, day, w)
	}
	return fmt.Errorf("storage: unknown export format %q (csv or pdf)", format)
}

// csvHeader names the CSV columns.
var csvHeader = []string{"seq", "id", "time", "venue", "kiosk", "outcome", "method", "reason",
	"scheme", "issuer", "status", "name", "cid", "visitor_name", "phone", "manual_reason",
	"staff", "note", "outage_id", "corrects", "uploaded", "rule"}

// csvSelect reads the exported columns, in csvHeader order but for the
// phone (sealed, opened in Go) and the upload mark. Columns added later
// (rule) come last, so existing column positions stay.
const csvSelect = `SELECT e.seq, e.id, e.at, e.venue_id, e.kiosk_id, e.outcome, e.method, e.reason,
	e.scheme, e.issuer, e.status, e.name, hex(e.cid), e.visitor_name, e.phone_enc, e.manual_reason,
	e.staff, e.note, e.outage_id, e.corrects,
	EXISTS (SELECT 1 FROM uploads u WHERE u.entry_id = e.id), e.rule
	FROM entries e WHERE e.at >= ? AND e.at < ? ORDER BY e.at, e.seq`

// exportCSV writes one row per entry of the day in time order, manual
// entries included, as UTF-8 with a byte order mark so spreadsheet programs
// read Hangul correctly. Rows are written straight from SQLite's buffers
// (sql.RawBytes), since a busy day has tens of thousands.
func (l *Ledger) exportCSV(ctx context.Context, day time.Time, w io.Writer) error {
	start, end, _ := l.dayBounds(day)
	rows, err := l.r.QueryContext(ctx, csvSelect, start.UnixNano(), end.UnixNano())
	if err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\uFEFF")
	var line []byte
	for i, h := range csvHeader {
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, h...)
	}
	bw.Write(append(line, '\r', '\n'))
	var (
		seq, at, status, outageID                                 int64
		uploaded                                                  bool
		id, venue, kiosk, outcome, method, reason, scheme, issuer sql.RawBytes
		name, cid, visitor, phoneEnc, manualReason, staff, note   sql.RawBytes
		corrects, rule                                            sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &id, &at, &venue, &kiosk, &outcome, &method, &reason, &scheme, &issuer,
			&status, &name, &cid, &visitor, &phoneEnc, &manualReason, &staff, &note, &outageID, &corrects,
			&uploaded, &rule); err != nil {
			return fmt.Errorf("storage: export: %w", err)
		}
		line = strconv.AppendInt(line[:0], seq, 10)
		line = csvField(line, id)
		line = append(line, ',')
		line = time.Unix(0, at).In(l.opts.Location).AppendFormat(line, time.RFC3339)
		for _, f := range []sql.RawBytes{venue, kiosk, outcome, method, reason, scheme, issuer} {
			line = csvField(line, f)
		}
		line = append(line, ',')
		if status != 0 {
			line = strconv.AppendInt(line, status, 10)
		}
		line = csvField(line, name)
		line = csvField(line, bytes.ToLower(cid))
		line = csvField(line, visitor)
		line = append(line, ',')
		if len(phoneEnc) > 0 {
			if p, err := l.phone.open(phoneEnc, string(id)); err == nil {
				line = append(line, maskPhone(p)...)
			} else {
				line = append(line, "(unreadable)"...)
			}
		}
		line = csvField(line, manualReason)
		line = csvField(line, staff)
		line = csvField(line, note)
		line = append(line, ',')
		if outageID != 0 {
			line = strconv.AppendInt(line, outageID, 10)
		}
		line = csvField(line, corrects)
		line = append(line, ',')
		line = strconv.AppendBool(line, uploaded)
		line = csvField(line, rule)
		line = append(line, '\r', '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("storage: export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	return nil
}

// csvField appends a comma and f as an RFC 4180 field: quoted when it holds
// a comma, quote or line break, and prefixed with ' when a spreadsheet would
// take it for a formula.
func csvField(line, f []byte) []byte {
	line = append(line, ',')
	formula := len(f) > 0 && strings.IndexByte("=+-@\t\r", f[0]) >= 0
	if !formula && !bytes.ContainsAny(f, ",\"\r\n") && (len(f) == 0 || f[0] != ' ') {
		return append(line, f...)
	}
	line = append(line, '"')
	if formula {
		line = append(line, '\'')
	}
	for _, c := range f {
		if c == '"' {
			line = append(line, '"')
		}
		line = append(line, c)
	}
	return append(line, '"')
}

// manualEntries returns the day's manual entries in time order.
func (l *Ledger) manualEntries(ctx context.Context, day time.Time) ([]app.Entry, error) {
	start, end, _ := l.dayBounds(day)
	return l.queryEntries(ctx, `WHERE e.at >= ? AND e.at < ? AND e.method = 'manual' ORDER BY e.at, e.seq`,
		start.UnixNano(), end.UnixNano())
}
