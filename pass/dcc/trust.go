package dcc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// MaxTrustFile is the largest trust list file read; national gateways
// publish a few megabytes at most.
const MaxTrustFile = 64 << 20

// TrustStore holds the document signer certificates an HC1 pass may be
// signed with, by kid. It is read-only once loaded and safe for concurrent
// use.
type TrustStore struct {
	signers map[string][]*signer
	n       int
	// Skipped says, one line per entry, why an entry of the list could not
	// be used (undecodable certificate or kid); the rest of the list is in
	// use. Entries of other certificate types are left out silently.
	Skipped []string
}

// Len is the number of certificates in use.
func (ts *TrustStore) Len() int {
	if ts == nil {
		return 0
	}
	return ts.n
}

// lookup returns the certificates a kid names; usually one, but kids are 8
// bytes and real lists carry collisions, so every candidate is tried.
func (ts *TrustStore) lookup(kid []byte) []*signer {
	if ts == nil || len(kid) == 0 {
		return nil
	}
	return ts.signers[string(kid)]
}

// LoadTrustFile reads a document signer list (see ParseTrustList) from a
// file pinned by configuration.
func LoadTrustFile(path string) (*TrustStore, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dcc trust list: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTrustFile+1))
	if err != nil {
		return nil, fmt.Errorf("dcc trust list %s: %w", path, err)
	}
	if len(data) > MaxTrustFile {
		return nil, fmt.Errorf("dcc trust list %s: larger than %d bytes", path, MaxTrustFile)
	}
	ts, err := ParseTrustList(data)
	if err != nil {
		return nil, fmt.Errorf("dcc trust list %s: %w", path, err)
	}
	return ts, nil
}

// ParseTrustList reads a JSON list of document signer certificates, the shape
// national trust-list gateways publish: an array of objects, or an object
// whose "certificates" member is that array. Each object has the certificate
// in base64 DER ("certificate" or "rawData") and its kid in base64 ("kid" or
// "kidB64"); a missing kid is computed as the EU specification does (the
// first 8 bytes of SHA-256 over the DER certificate). Entries whose
// "certificateType" is not "DSC" are left out. An entry that cannot be used
// is recorded in Skipped; a list with no usable entry is an error.
func ParseTrustList(data []byte) (*TrustStore, error) {
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		var wrapped map[string]json.RawMessage
		if json.Unmarshal(data, &wrapped) != nil {
			return nil, fmt.Errorf("not a JSON list of certificates: %w", err)
		}
		list, ok := field(wrapped, "certificates")
		if !ok {
			return nil, errors.New(`JSON object without a "certificates" list`)
		}
		if err := json.Unmarshal(list, &entries); err != nil {
			return nil, fmt.Errorf(`"certificates" is not a list of objects: %w`, err)
		}
	}
	ts := &TrustStore{signers: map[string][]*signer{}}
	for i, e := range entries {
		s, err := parseEntry(e)
		if err != nil {
			ts.Skipped = append(ts.Skipped, fmt.Sprintf("entry %d: %v", i, err))
			continue
		}
		if s == nil {
			continue
		}
		ts.signers[string(s.kid)] = append(ts.signers[string(s.kid)], s)
		ts.n++
	}
	if ts.n == 0 {
		if len(ts.Skipped) > 0 {
			return nil, fmt.Errorf("no usable certificate (%s)", strings.Join(ts.Skipped, "; "))
		}
		return nil, errors.New("no certificate in the list")
	}
	return ts, nil
}

// field finds a member by the first of its names present, spelt exactly or
// else in another case; the choice never depends on map order.
func field(obj map[string]json.RawMessage, names ...string) (json.RawMessage, bool) {
	keys := slices.Sorted(maps.Keys(obj))
	for _, n := range names {
		if v, ok := obj[n]; ok {
			return v, true
		}
		for _, k := range keys {
			if strings.EqualFold(k, n) {
				return obj[k], true
			}
		}
	}
	return nil, false
}

func stringField(obj map[string]json.RawMessage, names ...string) (string, bool, error) {
	raw, ok := field(obj, names...)
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, fmt.Errorf("%s is not a string", names[0])
	}
	return s, true, nil
}

// parseEntry returns nil, nil for an entry that is not a document signer.
func parseEntry(e map[string]json.RawMessage) (*signer, error) {
	typ, _, err := stringField(e, "certificateType")
	if err != nil {
		return nil, err
	}
	if typ != "" && !strings.EqualFold(typ, "DSC") {
		return nil, nil
	}
	certText, ok, err := stringField(e, "certificate", "rawData")
	if err != nil {
		return nil, err
	}
	if !ok || certText == "" {
		return nil, errors.New("no certificate")
	}
	der, err := decodeCertText(certText)
	if err != nil {
		return nil, err
	}
	s, err := parseSigner(der)
	if err != nil {
		return nil, err
	}
	kidText, ok, err := stringField(e, "kid", "kidB64")
	if err != nil {
		return nil, err
	}
	if ok && kidText != "" {
		if s.kid, err = decodeBase64(kidText); err != nil || len(s.kid) == 0 {
			return nil, fmt.Errorf("kid %q is not base64", kidText)
		}
	} else {
		sum := sha256.Sum256(der)
		s.kid = sum[:8]
	}
	if s.country, _, err = stringField(e, "country"); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeCertText accepts base64 DER, or a PEM block.
func decodeCertText(text string) ([]byte, error) {
	if strings.HasPrefix(strings.TrimSpace(text), "-----BEGIN") {
		b, _ := pem.Decode([]byte(text))
		if b == nil {
			return nil, errors.New("certificate PEM block unreadable")
		}
		return b.Bytes, nil
	}
	der, err := decodeBase64(text)
	if err != nil {
		return nil, errors.New("certificate is not base64")
	}
	return der, nil
}

// decodeBase64 accepts standard and URL alphabets, padded or not, with
// line breaks.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
