package main

import (
	"flag"
	"fmt"
	"io"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// dccSchemeFlags turns on HC1 passes (EU Digital COVID Certificates),
// verified offline once a document signer list is given:
// `passdesk verify --dcc-trust FILE`.
func dccSchemeFlags(fs *flag.FlagSet, stderr io.Writer) func() (pass.Scheme, error) {
	file := fs.String("dcc-trust", "", "HC1 document signer list (JSON {kid, certificate}); enables HC1: passes")
	return func() (pass.Scheme, error) {
		if *file == "" {
			return nil, nil
		}
		ts, err := dcc.LoadTrustFile(*file)
		if err != nil {
			return nil, fmt.Errorf("--dcc-trust: %w", err)
		}
		for _, s := range ts.Skipped {
			fmt.Fprintf(stderr, "passdesk verify: warning: %s: %s\n", *file, s)
		}
		return dcc.NewScheme(ts), nil
	}
}
