package storage

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
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
	"staff", "note", "outage_id", "corrects", "uploaded"}

// exportCSV writes one row per entry of the day in time order, manual
// entries included, as UTF-8 with a byte order mark so spreadsheet programs
// read Hangul correctly.
func (l *Ledger) exportCSV(ctx context.Context, day time.Time, w io.Writer) error {
	start, end, _ := l.dayBounds(day)
	rows, err := l.r.QueryContext(ctx, entrySelect+`WHERE e.at >= ? AND e.at < ? ORDER BY e.at, e.seq`,
		start.UnixNano(), end.UnixNano())
	if err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	rec := make([]string, len(csvHeader))
	for rows.Next() {
		var r entryRow
		var uploaded bool
		if err := rows.Scan(append(r.dest(), &uploaded)...); err != nil {
			return fmt.Errorf("storage: export: %w", err)
		}
		e := l.toEntry(&r, uploaded)
		rec[0] = strconv.FormatInt(e.Seq, 10)
		rec[1] = cell(e.ID)
		rec[2] = e.Time.Format(time.RFC3339)
		rec[3] = cell(e.VenueID)
		rec[4] = cell(e.KioskID)
		rec[5] = string(e.Outcome)
		rec[6] = string(e.Method)
		rec[7] = cell(e.Reason)
		rec[8] = cell(e.Scheme)
		rec[9] = cell(e.Issuer)
		rec[10] = ""
		if e.Status != 0 {
			rec[10] = strconv.Itoa(e.Status)
		}
		rec[11] = cell(e.Name)
		rec[12] = hex.EncodeToString(e.CID)
		rec[13] = cell(e.VisitorName)
		rec[14] = e.PhoneMask
		rec[15] = string(e.ManualReason)
		rec[16] = cell(e.Staff)
		rec[17] = cell(e.Note)
		rec[18] = ""
		if e.OutageID != 0 {
			rec[18] = strconv.FormatInt(e.OutageID, 10)
		}
		rec[19] = cell(e.Corrects)
		rec[20] = strconv.FormatBool(e.Uploaded)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("storage: export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	return nil
}

// cell keeps typed-in text from being run as a spreadsheet formula.
func cell(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}

// manualEntries returns the day's manual entries in time order.
func (l *Ledger) manualEntries(ctx context.Context, day time.Time) ([]app.Entry, error) {
	start, end, _ := l.dayBounds(day)
	return l.queryEntries(ctx, `WHERE e.at >= ? AND e.at < ? AND e.method = 'manual' ORDER BY e.at, e.seq`,
		start.UnixNano(), end.UnixNano())
}
