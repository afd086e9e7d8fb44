package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"passdesk/cmd/passd/authority"
)

// defaultDataDir is where a command finds its data directory without
// --data: $PASSD_DATA, else ./passd-data.
func defaultDataDir() string {
	if d := os.Getenv("PASSD_DATA"); d != "" {
		return d
	}
	return "passd-data"
}

// newFlags makes a command's flag set with the --data flag every command
// takes.
func newFlags(name, args string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("passd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: passd %s [flags] %s\n", name, args)
		fs.PrintDefaults()
	}
	data := fs.String("data", defaultDataDir(), "the data directory (keys and database)")
	return fs, data
}

// parse parses flags anywhere among the arguments ("revoke CID --data D"
// as well as "revoke --data D CID") and returns the others. It returns
// ok false, having said why, on a usage error or -h.
func parse(fs *flag.FlagSet, args []string) (rest []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, 0, true
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// openData opens an initialized data directory, saying what to do when
// it is not.
func openData(dir string, stderr io.Writer) (*authority.Authority, bool) {
	a, err := authority.Open(dir, nil)
	if err != nil {
		abs, _ := filepath.Abs(dir)
		fmt.Fprintf(stderr, "passd: %s: %v\n", abs, err)
		return nil, false
	}
	return a, true
}
