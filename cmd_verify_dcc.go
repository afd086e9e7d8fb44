package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// dccSchemeFlags turns on HC1 passes (EU Digital COVID Certificates),
// verified offline once a document signer list is given:
// `passdesk verify --dcc-trust FILE`, with the built-in business rules unless
// --dcc-rules names others (or "off").
func dccSchemeFlags(fs *flag.FlagSet, stderr io.Writer) func() (pass.Scheme, error) {
	var f dcc.Files
	fs.StringVar(&f.Trust, "dcc-trust", "", "HC1 document signer list (JSON {kid, certificate}); enables HC1: passes")
	addDCCRuleFlags(fs, &f)
	return func() (pass.Scheme, error) {
		if f.Trust == "" {
			return nil, nil
		}
		s, warnings, err := dcc.Load(f)
		if fe := (*dcc.FileError)(nil); errors.As(err, &fe) {
			// Name the flag that was given: --dcc-trust for dcc_trust.
			return nil, fmt.Errorf("--%s: %w", strings.ReplaceAll(fe.Key, "_", "-"), fe.Err)
		}
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "passdesk verify: warning: %s: %s\n", f.Trust, w)
		}
		return ruleNotes{s, stderr}, nil
	}
}

// ruleNotes verifies with the HC1 scheme and says on stderr which business
// rules a refused certificate failed, since the verdict line names only the
// reason.
type ruleNotes struct {
	*dcc.Scheme
	w io.Writer
}

func (r ruleNotes) Verify(text string, pol pass.Policy, now time.Time) pass.Verdict {
	res := r.Check(text, pol, now)
	for _, f := range res.Failed {
		note := f.Description("en")
		if f.Err != "" {
			note += " (" + f.Err + ")"
		}
		fmt.Fprintf(r.w, "passdesk verify: HC1 rule %s %s failed: %s\n", f.ID, f.Version, note)
	}
	return res.Verdict
}
