package main

// The arguments of `passdesk verify`: times, durations, root keys and
// list files.

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"passdesk/pass"
)

// parseAt reads --at: Unix seconds or RFC 3339; empty means now.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= math.MinInt64 && f < math.MaxInt64 {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	// RFC 3339, and the near variants test suites write: a zone without a
	// colon (+0000) or no zone at all (read as UTC).
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q is neither Unix seconds nor RFC 3339", s)
}

// parseSeconds reads --window and --skew: seconds or a Go duration.
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt64/int64(time.Second) {
			return 0, fmt.Errorf("%d seconds is out of range", n)
		}
		return time.Duration(n) * time.Second, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f*float64(time.Second) >= math.MaxInt64 || math.IsNaN(f) {
			return 0, fmt.Errorf("%s seconds is out of range", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither seconds nor a duration like 15s", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// parseRootFlag reads a root key: base64url without padding as DESIGN.md
// pins it; padded or standard base64 and hex are accepted too, and so is
// the name of a file holding the key in one of those forms.
func parseRootFlag(s string) (ed25519.PublicKey, error) {
	k, err := parseRootText(s)
	if err == nil {
		return k, nil
	}
	if b, ferr := os.ReadFile(s); ferr == nil && len(b) < 1024 {
		if k, kerr := parseRootText(string(b)); kerr == nil {
			return k, nil
		}
	}
	return nil, err
}

func parseRootText(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	k, err := pass.ParseRootKey(s)
	if err == nil {
		return k, nil
	}
	alt := strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
	if k, err2 := pass.ParseRootKey(alt); err2 == nil {
		return k, nil
	}
	if b, err2 := hex.DecodeString(s); err2 == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	return nil, err
}

func readListFile(name string) ([]byte, error) {
	var doc []byte
	var err error
	if name == "-" {
		return nil, errors.New("a list cannot be read from stdin; stdin carries the QR texts")
	}
	if doc, err = os.ReadFile(name); err != nil {
		return nil, err
	}
	if len(doc) == 0 {
		return nil, errors.New("file is empty")
	}
	return doc, nil
}

// textForms are the forms a list file may also arrive in, besides raw COSE
// bytes: written out as text by a tool.
var textForms = []func(string) ([]byte, error){
	hex.DecodeString,
	base64.StdEncoding.DecodeString,
	base64.RawStdEncoding.DecodeString,
	base64.URLEncoding.DecodeString,
	base64.RawURLEncoding.DecodeString,
}

// openList opens a list file's bytes as raw COSE and, when that finds them
// malformed, as hex or base64 text of the COSE bytes.
func openList[L any](doc []byte, open func([]byte) (*L, error)) (*L, error) {
	l, err := open(doc)
	if err == nil || !errors.Is(err, pass.ErrListMalformed) {
		return l, err
	}
	text := strings.TrimSpace(string(doc))
	for _, dec := range textForms {
		if b, derr := dec(text); derr == nil && len(b) > 0 {
			if l, err2 := open(b); err2 == nil || !errors.Is(err2, pass.ErrListMalformed) {
				return l, err2
			}
		}
	}
	return nil, err
}

func openTrustList(doc []byte, roots []ed25519.PublicKey) (*pass.TrustList, error) {
	if len(roots) == 0 {
		return nil, errors.New("no --root given to check it against")
	}
	return openList(doc, func(b []byte) (*pass.TrustList, error) { return pass.OpenTrustList(b, roots, nil) })
}

func openRevocationList(doc []byte, roots []ed25519.PublicKey) (*pass.RevocationList, error) {
	if len(roots) == 0 {
		return nil, errors.New("no --root given to check it against")
	}
	return openList(doc, func(b []byte) (*pass.RevocationList, error) { return pass.OpenRevocationList(b, roots, nil) })
}

func unixString(t int64) string {
	return time.Unix(t, 0).UTC().Format(time.RFC3339)
}
