package dcc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"os"
	"slices"
	"strings"
	"time"
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
	// Skipped says, one line per entry, why an entry of the list was left
	// out (not a document signer, undecodable certificate); the rest of the
	// list is in use.
	Skipped []string
}

// signer is one trusted document signer certificate.
type signer struct {
	kid       []byte
	country   string
	public    any // *ecdsa.PublicKey or *rsa.PublicKey
	notBefore time.Time
	notAfter  time.Time
	usage     []asn1.ObjectIdentifier // the DCC type OIDs of its extended key usage
}

// Len is the number of certificates in use.
func (ts *TrustStore) Len() int { return ts.n }

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

// DCC extended key usage OIDs: a document signer restricted to some
// certificate types lists them. Both arcs were issued in practice.
var typeOIDs = map[string][]asn1.ObjectIdentifier{
	TypeTest:        {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 1}},
	TypeVaccination: {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}},
	TypeRecovery:    {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 3}},
}

// dccUsage keeps the DCC type OIDs among a certificate's extended key usages.
func dccUsage(oids []asn1.ObjectIdentifier) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, o := range oids {
		for _, list := range typeOIDs {
			for _, t := range list {
				if o.Equal(t) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// allows reports whether the signer may sign this certificate type: a
// signer whose extended key usage names no DCC type may sign all of them.
func (s *signer) allows(certType string) bool {
	if len(s.usage) == 0 {
		return true
	}
	for _, o := range s.usage {
		for _, t := range typeOIDs[certType] {
			if o.Equal(t) {
				return true
			}
		}
	}
	return false
}

// parseSigner takes what verification needs from a DER certificate. Real
// document signers include certificates crypto/x509 refuses (negative serial
// numbers, odd extensions); those are read with a minimal parser instead,
// since only the key, the validity and the extended key usage matter here.
func parseSigner(der []byte) (*signer, error) {
	if c, err := x509.ParseCertificate(der); err == nil {
		return &signer{public: c.PublicKey, notBefore: c.NotBefore, notAfter: c.NotAfter, usage: dccUsage(c.UnknownExtKeyUsage)}, nil
	}
	return parseSignerMinimal(der)
}

type minimalCert struct {
	TBS    tbsCertificate
	SigAlg asn1.RawValue
	Sig    asn1.BitString
}

type tbsCertificate struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     asn1.RawValue
	SigAlg     asn1.RawValue
	Issuer     asn1.RawValue
	Validity   struct{ NotBefore, NotAfter time.Time }
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

func parseSignerMinimal(der []byte) (*signer, error) {
	var c minimalCert
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("certificate is not X.509 DER")
	}
	pub, err := x509.ParsePKIXPublicKey(c.TBS.SPKI.FullBytes)
	if err != nil {
		var explicitErr error
		if pub, explicitErr = parseExplicitEC(c.TBS.SPKI.FullBytes); explicitErr != nil {
			return nil, fmt.Errorf("certificate public key: %w", err)
		}
	}
	s := &signer{public: pub, notBefore: c.TBS.Validity.NotBefore, notAfter: c.TBS.Validity.NotAfter}
	for _, ext := range c.TBS.Extensions {
		if ext.Id.Equal(oidExtKeyUsage) {
			var oids []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(ext.Value, &oids); err != nil {
				return nil, errors.New("certificate extended key usage unreadable")
			}
			s.usage = dccUsage(oids)
		}
	}
	return s, nil
}

// ecParameters are explicit elliptic curve domain parameters (SEC 1, C.2),
// which some national document signers carry instead of a curve name.
type ecParameters struct {
	Version int
	FieldID struct {
		FieldType asn1.ObjectIdentifier
		Prime     *big.Int
	}
	Curve struct {
		A, B []byte
		Seed asn1.BitString `asn1:"optional"`
	}
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
)

// parseExplicitEC reads an EC public key whose curve is given by explicit
// parameters, accepting them only when they are exactly those of P-256,
// P-384 or P-521: arbitrary curves are never trusted.
func parseExplicitEC(spki []byte) (*ecdsa.PublicKey, error) {
	var info struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &info); err != nil || len(rest) != 0 {
		return nil, errors.New("public key info unreadable")
	}
	if !info.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, errors.New("not an EC public key")
	}
	var p ecParameters
	if rest, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, errors.New("EC parameters unreadable")
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.Order == nil {
		return nil, errors.New("EC parameters not over a prime field")
	}
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		cp := curve.Params()
		size := (cp.BitSize + 7) / 8
		a := new(big.Int).Sub(cp.P, big.NewInt(3)) // the NIST curves have a = -3
		gx := cp.Gx.FillBytes(make([]byte, size))
		uncompressed := append(append([]byte{4}, gx...), cp.Gy.FillBytes(make([]byte, size))...)
		compressed := append([]byte{2 | byte(cp.Gy.Bit(0))}, gx...)
		if cp.P.Cmp(p.FieldID.Prime) == 0 && cp.N.Cmp(p.Order) == 0 &&
			a.Cmp(new(big.Int).SetBytes(p.Curve.A)) == 0 && cp.B.Cmp(new(big.Int).SetBytes(p.Curve.B)) == 0 &&
			(bytes.Equal(uncompressed, p.Base) || bytes.Equal(compressed, p.Base)) &&
			(p.Cofactor == nil || p.Cofactor.Cmp(big.NewInt(1)) == 0) {
			return ecdsa.ParseUncompressedPublicKey(curve, info.PublicKey.RightAlign())
		}
	}
	return nil, errors.New("EC parameters of an unsupported curve")
}
