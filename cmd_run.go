package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"passdesk/app"
	"passdesk/pass"
)

// drainTime bounds the upload of pending entries when stdin ends.
const drainTime = 10 * time.Second

// scanLine is one line of `passdesk run --headless` output on stdout; the
// field order is part of the command's contract.
type scanLine struct {
	Time      string  `json:"time"`
	Verdict   string  `json:"verdict"` // admit, deny, duplicate
	Reason    string  `json:"reason"`
	Method    string  `json:"method"` // online, offline
	Name      string  `json:"name"`
	Status    int     `json:"status"`
	Iss       string  `json:"iss"`
	CID       string  `json:"cid"`
	LatencyMS float64 `json:"latency_ms"`
	Recorded  bool    `json:"recorded"`
	EntryID   string  `json:"entry_id"`
	Error     string  `json:"error,omitempty"`
	Alert     bool    `json:"alert,omitempty"`
	Corrects  string  `json:"corrects,omitempty"`
}

// eventLine is a status event, written on stderr so that stdout holds
// verdicts only.
type eventLine struct {
	Time     string `json:"time"`
	Event    string `json:"event"`
	Detail   string `json:"detail,omitempty"`
	OutageID int64  `json:"outage_id,omitempty"`
	Pending  *int   `json:"pending,omitempty"`
}

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	headless := fs.Bool("headless", false, "run without a window: QR texts from --camera (or stdin), a JSON line per verdict on stdout, events on stderr")
	load := kioskFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: passdesk run --headless --camera SOURCE [--server URL] [--data DIR] [--root KEY]... [flags]")
		fmt.Fprintln(stderr, "SOURCE is stdin (one QR text per line, as a keyboard-wedge scanner types it) or a camera spec.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passdesk run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if !*headless {
		return runWindow(args, stderr)
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(stderr, "passdesk run: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runHeadless(ctx, cfg, stdin, stdout, stderr)
}

// runHeadless is the kiosk without a window. It ends at stdin's end (after
// a brief drain of the upload queue) or when ctx ends.
func runHeadless(ctx context.Context, cfg app.Config, stdin io.Reader, stdout, stderr io.Writer) int {
	k, err := openKiosk(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk run: %v\n", err)
		return exitFail
	}
	defer k.Close()
	out := &lineWriter{w: stdout}
	errOut := &lineWriter{w: stderr}
	for _, n := range k.Engine.Status().Notices {
		errOut.write(eventLine{Time: stamp(time.Now()), Event: "notice", Detail: noticeLine(n)})
	}

	var wg sync.WaitGroup
	evCtx, stopEvents := context.WithCancel(ctx)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case ev := <-k.Events:
				errOut.write(eventLine{Time: stamp(ev.Time), Event: string(ev.Kind), Detail: ev.Detail, OutageID: ev.OutageID})
			case <-evCtx.Done():
				return
			}
		}
	}()
	// Alerts have a reader of their own: one waiting for the line of the
	// scan that raised it holds up no event.
	go func() {
		defer wg.Done()
		alerts := k.Engine.Alerts()
		for {
			select {
			case a, ok := <-alerts:
				if !ok {
					alerts = nil // closed: the engine is stopping
					continue
				}
				out.alert(a)
			case <-evCtx.Done():
				return
			}
		}
	}()
	defer func() { stopEvents(); wg.Wait() }()

	if k.Scanner == nil {
		if readLines(ctx, k.Engine, stdin, out) {
			dctx, cancel := context.WithTimeout(ctx, drainTime)
			left, err := k.Engine.Drain(dctx)
			cancel()
			ev := eventLine{Time: stamp(time.Now()), Event: "drained", Pending: &left}
			if err != nil {
				ev.Detail = err.Error()
			}
			errOut.write(ev)
		}
		return exitOK
	}
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case text, ok := <-k.Scanner.Texts():
			if !ok {
				return exitOK
			}
			out.scan(ctx, k.Engine, text)
		}
	}
}

// readLines scans one QR text per stdin line, exactly as typed but for
// the line ending. It reports whether stdin ended (rather than ctx).
func readLines(ctx context.Context, e *app.Engine, stdin io.Reader, out *lineWriter) bool {
	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(stdin, 64<<10)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return false
		case line, ok := <-lines:
			if !ok {
				return true
			}
			if line == "" {
				continue
			}
			out.scan(ctx, e, line)
		}
	}
}

func lineOf(r app.Result) scanLine {
	l := scanLine{
		Time:      stamp(r.Entry.Time),
		Verdict:   string(r.Entry.Outcome),
		Reason:    r.Entry.Reason,
		Method:    string(r.Entry.Method),
		Name:      r.Entry.Name,
		Status:    r.Entry.Status,
		Iss:       r.Entry.Issuer,
		CID:       hex.EncodeToString(r.Entry.CID),
		LatencyMS: float64(r.Took.Microseconds()) / 1000,
		Recorded:  r.Recorded,
		EntryID:   r.Entry.ID,
		Alert:     r.Alert,
		Corrects:  r.Entry.Corrects,
	}
	if r.Alert && r.Verdict.Reason == pass.ServiceDisagrees {
		// The entry's own line gave the reason that stood; this one says
		// what the service did.
		l.Reason = string(pass.ServiceDisagrees)
	}
	if !r.Recorded {
		// Not recorded is never shown as admitted.
		if l.Verdict == string(app.Admit) {
			l.Verdict = string(app.Deny)
		}
		if r.Err != nil {
			l.Error = r.Err.Error()
		} else {
			l.Error = "not recorded"
		}
	}
	return l
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// lineWriter writes JSON lines from several goroutines without mixing them.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
	// order is held across a scan and its line: an alert the scan raises
	// (the service disagreeing) is written after the scan's own line.
	order sync.Mutex
}

// scan verifies text and writes its verdict line.
func (l *lineWriter) scan(ctx context.Context, e *app.Engine, text string) {
	l.order.Lock()
	defer l.order.Unlock()
	l.write(lineOf(e.Scan(ctx, text)))
}

// alert writes an alert's line, after the line of the scan that raised it.
func (l *lineWriter) alert(r app.Result) {
	l.order.Lock()
	defer l.order.Unlock()
	l.write(lineOf(r))
}

func (l *lineWriter) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(append(b, '\n'))
}

// noticeLine is a notice for a log: its code, then its detail.
func noticeLine(n app.Notice) string {
	if n.Detail == "" {
		return string(n.Code)
	}
	return string(n.Code) + ": " + n.Detail
}
