package dcc

import (
	"fmt"
	"regexp"
)

// Files names what an HC1 scheme is configured from, as the kiosk's
// configuration keys and `passdesk verify` flags name them.
type Files struct {
	Trust       string // dcc_trust: the document signer list
	Rules       string // dcc_rules: a rule file or folder; "" means the built-in rules
	ValueSets   string // dcc_valuesets: a value set file or folder, optional
	Country     string // dcc_country: the country of arrival, "" means DefaultCountry
	Revocations string // dcc_revocations: the revocation file, optional
	// NoRules turns the business rules off (dcc_rules = "off").
	NoRules bool
}

// RulesOff is the dcc_rules value that turns the business rules off.
const RulesOff = "off"

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// FileError is a configuration problem, with the key that names it.
type FileError struct {
	Key string // "dcc_trust", "dcc_rules", "dcc_valuesets", "dcc_country", "dcc_revocations"
	Err error
}

func (e *FileError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Load reads the files and builds the scheme. Warnings are entries of the
// trust list that could not be used; any other problem is an error naming
// the file, and no scheme: a kiosk keeps the one it had.
func Load(f Files) (s *Scheme, warnings []string, err error) {
	var o Options
	o.Country = f.Country
	if o.Country != "" && !countryCode.MatchString(o.Country) {
		return nil, nil, &FileError{"dcc_country", fmt.Errorf("%q: want two capital letters such as EU, DE, FI", o.Country)}
	}
	var ts *TrustStore
	if f.Trust != "" {
		if ts, err = LoadTrustFile(f.Trust); err != nil {
			return nil, nil, &FileError{"dcc_trust", err}
		}
		warnings = ts.Skipped
	}
	switch {
	case f.NoRules || f.Rules == RulesOff:
		o.NoRules = true
	case f.Rules != "":
		if o.Rules, err = LoadRules(f.Rules); err != nil {
			return nil, nil, &FileError{"dcc_rules", err}
		}
	}
	if f.ValueSets != "" {
		if o.ValueSets, err = LoadValueSets(f.ValueSets); err != nil {
			return nil, nil, &FileError{"dcc_valuesets", err}
		}
	}
	if f.Revocations != "" {
		if o.Revocations, err = LoadRevocations(f.Revocations); err != nil {
			return nil, nil, &FileError{"dcc_revocations", err}
		}
	}
	if s, err = New(ts, o); err != nil {
		key := "dcc_rules"
		if o.Rules != nil {
			key = "dcc_country"
		}
		return nil, nil, &FileError{key, err}
	}
	return s, warnings, nil
}
