package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"passdesk/pass"
)

// schemeFlag lets a pass format that needs configuration (an HC1 trust
// file, say) add its flags to `passdesk verify`. Once the flags are parsed,
// the function it returned gives the Scheme to use (nil for none), or an
// error when it cannot run, which exits with status 2. Warnings go to
// stderr.
type schemeFlag func(fs *flag.FlagSet, stderr io.Writer) func() (pass.Scheme, error)

// maxLineLen bounds how much of one stdin line is kept: far beyond any
// valid pass, and a longer line is refused as too long either way.
const maxLineLen = 1 << 20

// verdictLine is one line of `passdesk verify` output; the field order is
// part of the command's contract. cid is lower-case hex.
type verdictLine struct {
	Verdict string      `json:"verdict"`
	Reason  pass.Reason `json:"reason"`
	Name    string      `json:"name"`
	Status  pass.Status `json:"status"`
	Iss     string      `json:"iss"`
	CID     string      `json:"cid"`
	Iat     int64       `json:"iat"`
	// HC1 passes only: the standardised name, date of birth and
	// certificate type staff may see.
	NameLatin string `json:"name_latin,omitempty"`
	DOB       string `json:"dob,omitempty"`
	CertType  string `json:"cert_type,omitempty"`
	// Rule names the business rule a rules_failed pass failed, "ID@Version".
	Rule string `json:"rule,omitempty"`
}

type rootFlags []ed25519.PublicKey

func (r *rootFlags) String() string { return fmt.Sprint(len(*r), " root keys") }

func (r *rootFlags) Set(s string) error {
	k, err := parseRootFlag(s)
	if err != nil {
		return err
	}
	*r = append(*r, k)
	return nil
}

// verifyConfig is what the flags resolve to.
type verifyConfig struct {
	trust  *pass.TrustList
	revoke *pass.RevocationList
	rules  pass.Rules
	now    time.Time
}

// verifyCommand is `passdesk verify` with the pass formats besides PD1
// that it accepts, chosen by QR prefix; a prefix no scheme claims is
// unsupported_format.
func verifyCommand(flags ...schemeFlag) func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return runVerify(args, nil, flags, stdin, stdout, stderr)
	}
}

// verifyFlags are the flags of `passdesk verify`, before they are read.
type verifyFlags struct {
	trustFile, revokeFile *string
	roots                 rootFlags
	at, window, skew      *string
	schemes               []func() (pass.Scheme, error)
}

func newVerifyFlags(fs *flag.FlagSet, flags []schemeFlag, stderr io.Writer) *verifyFlags {
	f := &verifyFlags{
		trustFile:  fs.String("trustlist", "", "root-signed trust list `file` (COSE_Sign1)"),
		revokeFile: fs.String("revocations", "", "root-signed revocation list `file` (COSE_Sign1)"),
		at:         fs.String("at", "", "verify as of `time`: Unix seconds or RFC 3339 (default now)"),
		window:     fs.String("window", "15", "presentation freshness window: `seconds` or a duration like 15s"),
		skew:       fs.String("skew", "5", "allowed clock skew: `seconds` or a duration like 5s"),
	}
	fs.Var(&f.roots, "root", "pinned root public `key`, base64url without padding, or a file holding it (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: passdesk verify [--trustlist F] [--revocations F] [--root KEY]... [--at T] [--window S] [--skew S] [QR_TEXT... | -]")
		fmt.Fprintln(stderr, `prints {"verdict","reason","name","status","iss","cid","iat"} for each QR text; - (or none) reads one per line from stdin`)
		fs.PrintDefaults()
	}
	for _, hook := range flags {
		f.schemes = append(f.schemes, hook(fs, stderr))
	}
	return f
}

// rules reads --at, --window and --skew; an error is a usage error.
func (f *verifyFlags) rules() (verifyConfig, error) {
	var cfg verifyConfig
	var err error
	if cfg.now, err = parseAt(*f.at); err != nil {
		return cfg, err
	}
	if cfg.rules.Window, err = parseSeconds(*f.window); err != nil {
		return cfg, fmt.Errorf("--window: %w", err)
	}
	if cfg.rules.Skew, err = parseSeconds(*f.skew); err != nil {
		return cfg, fmt.Errorf("--skew: %w", err)
	}
	// A zero Rules field means the default; a negative one means zero.
	if cfg.rules.Window == 0 {
		cfg.rules.Window = -1
	}
	if cfg.rules.Skew == 0 {
		cfg.rules.Skew = -1
	}
	return cfg, nil
}

// lists reads the signed lists into cfg, warning of stale ones; an error
// means the command cannot run.
func (f *verifyFlags) lists(cfg *verifyConfig, stderr io.Writer) error {
	if *f.trustFile != "" {
		doc, err := readListFile(*f.trustFile)
		if err == nil {
			cfg.trust, err = openTrustList(doc, f.roots)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", *f.trustFile, err)
		}
		if cfg.trust.Stale(cfg.now) {
			fmt.Fprintf(stderr, "passdesk verify: warning: trust list expired at %s; every PD1 pass is trust_list_stale\n", unixString(cfg.trust.Expires))
		}
	}
	if *f.revokeFile != "" {
		doc, err := readListFile(*f.revokeFile)
		if err == nil {
			cfg.revoke, err = openRevocationList(doc, f.roots)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", *f.revokeFile, err)
		}
		if cfg.revoke.Stale(cfg.now) {
			fmt.Fprintf(stderr, "passdesk verify: warning: revocation list expired at %s\n", unixString(cfg.revoke.Expires))
		}
	}
	return nil
}

// schemeList is the fixed schemes and those the flags turned on.
func (f *verifyFlags) schemeList(fixed []pass.Scheme) ([]pass.Scheme, error) {
	schemes := append([]pass.Scheme(nil), fixed...)
	for _, setup := range f.schemes {
		s, err := setup()
		if err != nil {
			return nil, err
		}
		if s != nil {
			schemes = append(schemes, s)
		}
	}
	return schemes, nil
}

func runVerify(args []string, fixed []pass.Scheme, flags []schemeFlag, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := newVerifyFlags(fs, flags, stderr)
	texts, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	cfg, err := f.rules()
	if err != nil {
		return verifyUsage(stderr, err)
	}
	if err := f.lists(&cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "passdesk verify: %v\n", err)
		return exitFail
	}
	schemes, err := f.schemeList(fixed)
	if err != nil {
		fmt.Fprintf(stderr, "passdesk verify: %v\n", err)
		return exitFail
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	emit := func(text string) error {
		v := pass.VerifyAny(text, schemes, cfg.trust, cfg.revoke, pass.Policy{}, cfg.rules, cfg.now)
		return enc.Encode(newVerdictLine(v))
	}
	if len(texts) == 0 {
		texts = []string{"-"}
	}
	for _, t := range texts {
		if t == "-" {
			err = eachLine(stdin, emit)
		} else {
			err = emit(t)
		}
		if err != nil {
			fmt.Fprintf(stderr, "passdesk verify: %v\n", err)
			return exitFail
		}
	}
	return exitOK
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func verifyUsage(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "passdesk verify: %v\n", err)
	return exitUsage
}

func newVerdictLine(v pass.Verdict) verdictLine {
	l := verdictLine{
		Verdict: "deny",
		Reason:  v.Reason,
		Name:    v.Name,
		Status:  v.Status,
		Iss:     v.Issuer,
		CID:     hex.EncodeToString(v.CID),
		Iat:     v.IssuedAt,

		NameLatin: v.NameLatin,
		DOB:       v.DateOfBirth,
		CertType:  v.CertType,
		Rule:      v.Rule.Ref(),
	}
	if v.Admit {
		l.Verdict = "admit"
	}
	return l
}

// eachLine calls fn with each line of r, without its "\n" or "\r\n" and
// otherwise exactly as read (Base45 texts contain spaces).
func eachLine(r io.Reader, fn func(string) error) error {
	br := bufio.NewReader(r)
	for {
		line, err := readLine(br)
		if len(line) > 0 || err == nil {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
	}
}

// readLine reads up to and without the next line ending, keeping at most
// maxLineLen bytes of it. At the end of input it returns the last partial
// line with io.EOF.
func readLine(br *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) <= maxLineLen {
			buf = append(buf, chunk...)
		} else if len(buf) < maxLineLen {
			buf = append(buf, chunk[:maxLineLen-len(buf)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return string(buf), err
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return string(buf), nil
	}
}
