package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"passdesk/cmd/passd/loadgen"
)

func init() {
	commands["loadgen"] = command{"load-test POST /v1/verify of a running passd (saturation, half rate, 3x)", runLoadgen}
}

func runLoadgen(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("loadgen", "", stderr)
	url := fs.String("url", "http://127.0.0.1:8787", "the service's base URL")
	textsFile := fs.String("texts", "", "QR texts, one a line (from passd holder --text; - for stdin), instead of minting fresh ones from --data's demo holders")
	mode := fs.String("mode", "suite", "suite (saturation, then half and 3x its rate), closed (--concurrency clients back to back) or open (--rate)")
	rate := fs.Float64("rate", 0, "open mode: requests per second offered")
	conc := fs.Int("concurrency", 0, "connections (default 16 closed and suite saturation, 256 open)")
	dur := fs.Duration("duration", 10*time.Second, "closed and open modes: how long")
	venue := fs.String("venue", "loadgen", "venue_id sent")
	kiosk := fs.String("kiosk", "loadgen-1", "kiosk_id sent")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 || (*mode == "open" && *rate <= 0) || (*mode != "suite" && *mode != "closed" && *mode != "open") {
		fs.Usage()
		return exitUsage
	}
	bodies, err := loadBodies(*data, *textsFile, *venue, *kiosk, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
		return exitFail
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var out any
	switch *mode {
	case "suite":
		c := *conc
		if c <= 0 {
			c = 16
		}
		s, err := loadgen.Suite(ctx, loadgen.SuiteConfig{URL: *url, Bodies: bodies, Concurrency: c, Progress: stderr})
		if err != nil {
			fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
			return exitFail
		}
		out = s
		if !*asJSON {
			fmt.Fprintf(stdout, "saturation: %.0f verifications/s (p99 %v)\n", s.Saturation.Goodput, s.Saturation.OKLatency.P99)
			fmt.Fprintf(stdout, "half rate:  p50 %v p99 %v\n", s.Half.OKLatency.P50, s.Half.OKLatency.P99)
			fmt.Fprintf(stdout, "3x offered: accepted p99 %v, 429 p99 %v (%d), goodput %.0f/s = %.0f%% of saturation\n",
				s.Overload.OKLatency.P99, s.Overload.RejectLatency.P99, s.Overload.Rejected, s.Overload.Goodput, 100*s.GoodputRatio())
		}
	default:
		cfg := loadgen.Config{URL: *url, Bodies: bodies, Concurrency: *conc, Duration: *dur}
		if *mode == "open" {
			cfg.Rate = *rate
		}
		r, err := loadgen.Run(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
			return exitFail
		}
		out = r
		if !*asJSON {
			fmt.Fprintln(stdout, r)
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
	}
	return exitOK
}

// loadBodies makes the request bodies: fresh QR texts minted from the
// data directory's demo holders, or the texts of a file.
func loadBodies(data, textsFile, venue, kiosk string, stderr io.Writer) (func() []byte, error) {
	if textsFile != "" {
		var r io.Reader = os.Stdin
		if textsFile != "-" {
			f, err := os.Open(textsFile)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		var texts []string
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if t := strings.TrimRight(sc.Text(), "\r"); t != "" {
				texts = append(texts, t)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return loadgen.Static(texts, venue, kiosk)
	}
	a, ok := openData(data, stderr)
	if !ok {
		return nil, fmt.Errorf("no data directory to mint QR texts from (--data DIR, or --texts FILE)")
	}
	defer a.Close()
	ctx := context.Background()
	hs, err := pickHolders(ctx, a, "", stderr)
	if err != nil {
		return nil, err
	}
	m, err := loadgen.NewMinter(hs, venue, kiosk, nil)
	if err != nil {
		return nil, err
	}
	return m.Next, nil
}
