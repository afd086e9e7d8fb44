package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
	"passdesk/cmd/passd/store"
)

func init() {
	commands["demo"] = command{"make demo holders (kept), plus a revoked and a stale one", runDemo}
	commands["holder"] = command{"print fresh QR texts (--text) or write QR images (--png DIR) of demo holders", runHolder}
}

// defaultDemoHolders is how many demo holders demo and holder make.
const defaultDemoHolders = 4

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("demo", "", stderr)
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
	n := fs.Int("holders", defaultDemoHolders, "valid demo holders to have (existing ones are kept)")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 || *n < 0 {
		fs.Usage()
		return exitUsage
	}
	a, ok := openDataDB(*data, *db, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	ctx := context.Background()
	added, err := a.EnsureDemo(ctx, *n)
	if err != nil {
		fmt.Fprintf(stderr, "passd demo: %v\n", err)
		return exitFail
	}
	ds, err := a.DemoHolders(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "passd demo: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stderr, "passd: %d demo holders added, %d in all\n", added, len(ds))
	for _, d := range ds {
		fmt.Fprintf(stdout, "%-10s %-8s %s cid %x\n", d.Label, d.Kind, authority.MaskName(d.Name), d.CID)
	}
	return exitOK
}

func runHolder(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("holder", "--text | --png DIR", stderr)
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
	text := fs.Bool("text", false, "print the QR texts, one a line")
	pngDir := fs.String("png", "", "write the QR codes as PNG images into this directory")
	n := fs.Int("n", 1, "how many QR texts")
	label := fs.String("label", "", "only this demo holder (holder-1, revoked, stale, ...); default: the valid ones in turn")
	size := fs.Int("size", 480, "PNG width and height in pixels")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 || (!*text && *pngDir == "") || *n < 1 || *size < 64 {
		fs.Usage()
		return exitUsage
	}
	a, ok := openDataDB(*data, *db, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	ctx := context.Background()
	ds, err := pickHolders(ctx, a, *label, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "passd holder: %v\n", err)
		return exitFail
	}
	if *pngDir != "" {
		if err := os.MkdirAll(*pngDir, 0o700); err != nil {
			fmt.Fprintf(stderr, "passd holder: %v\n", err)
			return exitFail
		}
	}
	now := time.Now()
	for i := range *n {
		d := ds[i%len(ds)]
		qr, err := authority.DemoQR(d, now)
		if err != nil {
			fmt.Fprintf(stderr, "passd holder: %v\n", err)
			return exitFail
		}
		if *text {
			fmt.Fprintln(stdout, qr)
		}
		if *pngDir != "" {
			b, err := server.QRPNG(qr, *size)
			if err == nil {
				err = writePrivate(filepath.Join(*pngDir, fmt.Sprintf("%s-%04d.png", d.Label, i+1)), b)
			}
			if err != nil {
				fmt.Fprintf(stderr, "passd holder: %v\n", err)
				return exitFail
			}
		}
	}
	return exitOK
}

// pickHolders returns the demo holder named label, or the valid ones; a
// data directory without demo holders gets the default ones first.
func pickHolders(ctx context.Context, a *authority.Authority, label string, stderr io.Writer) ([]store.DemoHolder, error) {
	ds, err := a.DemoHolders(ctx)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		if _, err := a.EnsureDemo(ctx, defaultDemoHolders); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "passd: no demo holders yet; made %d (passd demo --holders N makes more)\n", defaultDemoHolders)
		if ds, err = a.DemoHolders(ctx); err != nil {
			return nil, err
		}
	}
	var out []store.DemoHolder
	for _, d := range ds {
		if (label == "" && d.Kind == store.DemoValid) || d.Label == label {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no demo holder %q", label)
	}
	return out, nil
}
