// Command vectorgen writes the PD1 test vectors under testdata/pd1: signed
// trust and revocation lists (good, forged, from another root, stale), the
// root key, and vectors.json, a list of {name, qr, at, expect_reason}
// verified against those lists with the default policy and rules. Every
// key comes from a fixed seed, so the output is the same on every run.
//
// Run it with `go generate ./pass`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"passdesk/pass/passtest"
)

func main() {
	out := flag.String("out", "../testdata/pd1", "output directory")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "vectorgen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	files, err := passtest.Files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("vectorgen: wrote %d files to %s\n", len(names), dir)
	return nil
}
