package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"passdesk/internal/atomicfile"

	"passdesk/app"
	"passdesk/storage"
)

// ledgerUsage lists the ledger subcommands.
const ledgerUsage = `usage: passdesk ledger COMMAND [--data DIR] [flags]
  summary    [--day YYYY-MM-DD]                       the day's totals as JSON
  export     [--day YYYY-MM-DD] --format csv|pdf --out FILE ("-" for stdout)
  verify                                              prove the hash chain (exit 2 when broken)
  purge      [--retention 28d | --before TIME]        remove entries past the retention
  add-person --name NAME --role staff|manager --pin-stdin
`

func runLedger(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, ledgerUsage)
		return exitUsage
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("passdesk ledger "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data `directory` holding ledger.db and its keys")
	var run func() int
	switch sub {
	case "summary":
		dayFlag := fs.String("day", "", "local `day`, YYYY-MM-DD (default today)")
		run = func() int { return ledgerSummary(*data, *dayFlag, stdout, stderr) }
	case "export":
		dayFlag := fs.String("day", "", "local `day`, YYYY-MM-DD (default today)")
		format := fs.String("format", "", "csv or pdf")
		out := fs.String("out", "", "output `file`, - for stdout")
		run = func() int { return ledgerExport(*data, *dayFlag, *format, *out, stdout, stderr) }
	case "verify":
		run = func() int { return ledgerVerify(*data, stdout, stderr) }
	case "purge":
		retention := fs.String("retention", "", "keep this long: `duration` such as 28d or 672h (default 28d)")
		before := fs.String("before", "", "remove entries before this `time` (RFC 3339 or YYYY-MM-DD)")
		run = func() int { return ledgerPurge(*data, *retention, *before, stdout, stderr) }
	case "add-person":
		name := fs.String("name", "", "the person's `name`")
		role := fs.String("role", "", "staff or manager")
		pinStdin := fs.Bool("pin-stdin", false, "read the PIN (4 to 12 digits) from the first line of stdin")
		run = func() int { return ledgerAddPerson(*data, *name, *role, *pinStdin, stdin, stdout, stderr) }
	default:
		fmt.Fprintf(stderr, "passdesk ledger: unknown command %q\n", sub)
		fmt.Fprint(stderr, ledgerUsage)
		return exitUsage
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passdesk ledger %s: unexpected argument %q\n", sub, fs.Arg(0))
		return exitUsage
	}
	if *data == "" {
		fmt.Fprintf(stderr, "passdesk ledger %s: no data directory: pass --data DIR\n", sub)
		return exitUsage
	}
	return run()
}

// openLedger opens an existing ledger; reading commands open it read-only,
// so inspecting a ledger never changes it.
func openLedger(data string, readOnly bool, stderr io.Writer, name string) (*storage.Ledger, bool) {
	return openLedgerWith(data, storage.Options{ReadOnly: readOnly}, stderr, name)
}

func openLedgerWith(data string, opts storage.Options, stderr io.Writer, name string) (*storage.Ledger, bool) {
	if _, err := os.Stat(filepath.Join(data, storage.DBFile)); err != nil {
		fmt.Fprintf(stderr, "passdesk ledger %s: no ledger in %s (%v)\n", name, data, err)
		return nil, false
	}
	l, err := storage.Open(data, opts)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger %s: %v\n", name, err)
		return nil, false
	}
	for _, n := range l.Notices() {
		fmt.Fprintf(stderr, "passdesk ledger %s: %s\n", name, n)
	}
	return l, true
}

// office is the core's rules over the ledger alone: `passdesk ledger`
// acts as app.CommandLine, and the office audits what it does.
func office(l *storage.Ledger) *app.Office {
	return app.NewOffice(l, l, l.Purge, nil)
}

// parseDay reads YYYY-MM-DD as a local day; "" is today.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad --day %q: want YYYY-MM-DD", s)
	}
	return d, nil
}

// summaryJSON is `ledger summary` output.
type summaryJSON struct {
	Day       string         `json:"day"`
	Total     int            `json:"total"`
	ByOutcome map[string]int `json:"by_outcome"`
	ByMethod  map[string]int `json:"by_method"`
	ByReason  map[string]int `json:"by_reason"`
	Hourly    [24]int        `json:"hourly_admitted"`
	Manual    int            `json:"manual"`
	Outages   []outageJSON   `json:"outages"`
	// Unreadable scans (no pass at all) are not in by_method.
	Unreadable int `json:"unreadable"`
}

type outageJSON struct {
	ID    int64  `json:"id"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
	Cause string `json:"cause"`
	// KioskStopped: the kiosk stopped during the outage, and end is when
	// (see app.Outage.Stopped).
	KioskStopped bool `json:"kiosk_stopped,omitempty"`
}

func ledgerSummary(data, dayFlag string, stdout, stderr io.Writer) int {
	day, err := parseDay(dayFlag)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger summary: %v\n", err)
		return exitUsage
	}
	l, ok := openLedger(data, true, stderr, "summary")
	if !ok {
		return exitFail
	}
	defer l.Close()
	s, err := l.Summary(context.Background(), day)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger summary: %v\n", err)
		return exitFail
	}
	out := summaryJSON{Day: s.Day, Total: s.Total, Hourly: s.Hourly, Manual: s.Manual, Unreadable: s.Unreadable,
		ByOutcome: map[string]int{}, ByMethod: map[string]int{}, ByReason: s.ByReason, Outages: []outageJSON{}}
	for k, v := range s.ByOutcome {
		out.ByOutcome[string(k)] = v
	}
	for k, v := range s.ByMethod {
		out.ByMethod[string(k)] = v
	}
	for _, o := range s.Outages {
		oj := outageJSON{ID: o.ID, Start: o.Start.Format(time.RFC3339), Cause: o.Cause, KioskStopped: o.Stopped}
		if !o.End.IsZero() {
			oj.End = o.End.Format(time.RFC3339)
		}
		out.Outages = append(out.Outages, oj)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "passdesk ledger summary: %v\n", err)
		return exitFail
	}
	return exitOK
}

func ledgerExport(data, dayFlag, format, out string, stdout, stderr io.Writer) int {
	day, err := parseDay(dayFlag)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger export: %v\n", err)
		return exitUsage
	}
	if format != "csv" && format != "pdf" {
		fmt.Fprintln(stderr, "passdesk ledger export: --format must be csv or pdf")
		return exitUsage
	}
	if out == "" {
		fmt.Fprintln(stderr, "passdesk ledger export: --out FILE is required (- for stdout)")
		return exitUsage
	}
	// Opened writable so the export is audited.
	l, ok := openLedger(data, false, stderr, "export")
	if !ok {
		return exitFail
	}
	defer l.Close()
	ctx := context.Background()
	o := office(l)
	if out == "-" {
		err = o.Export(ctx, app.CommandLine, day, format, out, stdout)
	} else {
		err = atomicfile.WriteFunc(out, 0o600, func(w io.Writer) error {
			return o.Export(ctx, app.CommandLine, day, format, out, w)
		})
	}
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger export: %v\n", err)
		return exitFail
	}
	return exitOK
}

func ledgerVerify(data string, stdout, stderr io.Writer) int {
	l, ok := openLedger(data, true, stderr, "verify")
	if !ok {
		return exitFail
	}
	defer l.Close()
	err := l.Verify(context.Background())
	var ce *storage.ChainError
	if errors.As(err, &ce) {
		fmt.Fprintf(stdout, "BROKEN: %v\n", ce)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger verify: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "ok: the ledger's hash chains are intact")
	return exitOK
}

// parseRetention reads "28d" or a Go duration such as "672h".
func parseRetention(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad --retention %q: want days such as 28d, or a duration such as 672h", s)
	}
	return d, nil
}

// parseTime reads RFC 3339 or a local YYYY-MM-DD (its midnight).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad --before %q: want RFC 3339 or YYYY-MM-DD", s)
}

func ledgerPurge(data, retention, before string, stdout, stderr io.Writer) int {
	if retention != "" && before != "" {
		fmt.Fprintln(stderr, "passdesk ledger purge: give --retention or --before, not both")
		return exitUsage
	}
	opts := storage.Options{}
	now := time.Now()
	switch {
	case retention != "":
		d, err := parseRetention(retention)
		if err != nil {
			fmt.Fprintf(stderr, "passdesk ledger purge: %v\n", err)
			return exitUsage
		}
		opts.Retention = d
	case before != "":
		t, err := parseTime(before)
		if err != nil {
			fmt.Fprintf(stderr, "passdesk ledger purge: %v\n", err)
			return exitUsage
		}
		// Purge removes what is older than now minus the retention.
		opts.Retention = 24 * time.Hour
		now = t.Add(opts.Retention)
	}
	l, ok := openLedgerWith(data, opts, stderr, "purge")
	if !ok {
		return exitFail
	}
	defer l.Close()
	n, err := office(l).Purge(context.Background(), app.CommandLine, now)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger purge: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "{\"purged\": %d}\n", n)
	return exitOK
}

func ledgerAddPerson(data, name, role string, pinStdin bool, stdin io.Reader, stdout, stderr io.Writer) int {
	if name == "" || (role != string(app.Staff) && role != string(app.Manager)) || !pinStdin {
		fmt.Fprintln(stderr, "usage: passdesk ledger add-person --name NAME --role staff|manager --pin-stdin")
		fmt.Fprintln(stderr, "the PIN is read from stdin so it never appears in the shell history")
		return exitUsage
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "passdesk ledger add-person: reading the PIN: %v\n", err)
		return exitFail
	}
	pin := strings.TrimRight(line, "\r\n")
	// The first manager may be added before the kiosk has ever run.
	l, err := storage.Open(data, storage.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger add-person: %v\n", err)
		return exitFail
	}
	defer l.Close()
	p, err := office(l).AddPerson(context.Background(), app.CommandLine, name, app.Role(role), pin)
	if err != nil && p.ID != 0 {
		fmt.Fprintf(stderr, "passdesk ledger add-person: added, but the audit trail was not written: %v\n", err)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "passdesk ledger add-person: %v\n", err)
		if errors.Is(err, storage.ErrNotRecorded) {
			return exitFail
		}
		return exitUsage
	}
	json.NewEncoder(stdout).Encode(map[string]any{"id": p.ID, "name": p.Name, "role": p.Role})
	return exitOK
}
