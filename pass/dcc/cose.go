package dcc

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// COSE header labels and algorithms (RFC 9052, RFC 9053, RFC 8230).
const (
	headerAlg = 1
	headerKid = 4

	algES256 = -7
	algPS256 = -37
)

// CBOR tags a COSE_Sign1 may carry.
const (
	tagCOSESign1 = 18
	tagCWT       = 61
)

// maxNesting bounds CBOR depth anywhere, as for PD1.
const maxNesting = 16

// decMode is strict where it costs issuers nothing (duplicate map keys,
// invalid UTF-8, trailing bytes, depth) and lenient where real issuers differ
// (indefinite lengths, non-canonical integers, tags inside the DCC).
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   maxNesting,
		MaxArrayElements:  4096,
		MaxMapPairs:       4096,
		IndefLength:       cbor.IndefLengthAllowed,
		TagsMd:            cbor.TagsAllowed,
		IntDec:            cbor.IntDecConvertSignedOrFail,
		UTF8:              cbor.UTF8RejectInvalid,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	}.DecMode()
	if err != nil {
		panic("dcc: CBOR decoding options: " + err.Error())
	}
	return dm
}()

// coseSign1 is the COSE_Sign1 array [protected, unprotected, payload, signature].
type coseSign1 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected map[any]cbor.RawMessage
	Payload     []byte
	Signature   []byte
}

// claims are the CWT claims an HC1 verifier reads.
type claims struct {
	Issuer   *string                   `cbor:"1,keyasint"`
	Expires  cbor.RawMessage           `cbor:"4,keyasint"`
	IssuedAt cbor.RawMessage           `cbor:"6,keyasint"`
	HCert    map[int64]cbor.RawMessage `cbor:"-260,keyasint"`
}

// dgc is the part of the EU DCC payload (hcert claim key 1) a kiosk shows
// and checks; other fields are only checked to be well-formed CBOR.
type dgc struct {
	Nam *struct {
		FamilyName    string `cbor:"fn"`
		GivenName     string `cbor:"gn"`
		FamilyNameStd string `cbor:"fnt"`
		GivenNameStd  string `cbor:"gnt"`
	} `cbor:"nam"`
	DOB         string            `cbor:"dob"`
	Vaccination []cbor.RawMessage `cbor:"v"`
	Test        []testEntry       `cbor:"t"`
	Recovery    []cbor.RawMessage `cbor:"r"`
}

// testEntry is the test result field of a test certificate entry.
type testEntry struct {
	Result string `cbor:"tr"`
}

// Certificate types, as Verdict.CertType shows them.
const (
	TypeVaccination = "vaccination"
	TypeTest        = "test"
	TypeRecovery    = "recovery"
)

// testNotDetected is the SNOMED CT code of a negative ("not detected") test
// result; "260373001" (detected) is the other value the EU value set allows.
const testNotDetected = "260415000"

// parseCOSE decodes a COSE_Sign1 (untagged, tag 18, or tag 18 inside the CWT
// tag 61) and its CWT payload.
func parseCOSE(msg []byte) (*hc1, error) {
	m, err := parseSign1(msg)
	if err != nil {
		return nil, err
	}
	h := &hc1{protected: m.Protected, payload: m.Payload, signature: m.Signature}
	if err := h.parseHeaders(m.Unprotected); err != nil {
		return nil, err
	}
	if err := h.parseClaims(); err != nil {
		return nil, err
	}
	return h, nil
}

// parseSign1 decodes the COSE_Sign1 structure alone: the four fields, not
// what the headers and the payload hold.
func parseSign1(msg []byte) (*coseSign1, error) {
	body := msg
	// Issuers send the COSE_Sign1 untagged, tagged 18, or as a CWT (tag
	// 61) over either; the conformance cases include all three.
	if len(body) >= 2 && body[0] == 0xd8 && body[1] == tagCWT {
		body = body[2:]
	}
	if len(body) > 0 && body[0] == 0xc0|tagCOSESign1 {
		body = body[1:]
	}
	if len(body) == 0 || body[0] != 0x84 {
		return nil, errors.New("not a COSE_Sign1 array of 4")
	}
	var m coseSign1
	if err := decMode.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("COSE_Sign1: %w", err)
	}
	// A null in place of a byte string decodes as nil: refused, so that
	// what is signed has one reading.
	if m.Protected == nil {
		return nil, errors.New("COSE_Sign1 protected header is not a byte string")
	}
	if m.Payload == nil {
		return nil, errors.New("COSE_Sign1 without payload")
	}
	return &m, nil
}

// parseHeaders reads alg and kid from the protected header and, where it
// lacks them, from the unprotected one.
func (h *hc1) parseHeaders(unprotected map[any]cbor.RawMessage) error {
	prot := map[any]cbor.RawMessage{}
	if len(h.protected) > 0 {
		if err := decMode.Unmarshal(h.protected, &prot); err != nil {
			return fmt.Errorf("protected header: %w", err)
		}
	}
	// alg and kid belong in the protected header; the EU specification lets
	// the kid (and the conformance cases the alg) sit in the unprotected one
	// when the protected header lacks it, never overriding it.
	for _, hdr := range []map[any]cbor.RawMessage{prot, unprotected} {
		if v, ok := hdr[int64(headerAlg)]; ok && !h.hasAlg {
			if err := decMode.Unmarshal(v, &h.alg); err != nil {
				return fmt.Errorf("alg: %w", err)
			}
			h.hasAlg = true
		}
		if v, ok := hdr[int64(headerKid)]; ok && h.kid == nil {
			var kid []byte
			if err := decMode.Unmarshal(v, &kid); err != nil {
				return fmt.Errorf("kid: %w", err)
			}
			h.kid = kid
		}
	}
	if !h.hasAlg {
		return errors.New("no alg in the COSE headers")
	}
	return nil
}

func (h *hc1) parseClaims() error {
	var c claims
	if err := decMode.Unmarshal(h.payload, &c); err != nil {
		return fmt.Errorf("CWT claims: %w", err)
	}
	if c.IssuedAt == nil || c.Expires == nil {
		return errors.New("CWT without iat or exp")
	}
	var err error
	if h.issuedAt, err = numericDate(c.IssuedAt); err != nil {
		return fmt.Errorf("CWT iat: %w", err)
	}
	if h.expires, err = numericDate(c.Expires); err != nil {
		return fmt.Errorf("CWT exp: %w", err)
	}
	if c.Issuer != nil {
		h.issuer = *c.Issuer
	}
	rawDGC, ok := c.HCert[1]
	if !ok {
		return errors.New("CWT without hcert claim -260 holding key 1")
	}
	if len(rawDGC) == 0 || rawDGC[0]>>5 != 5 {
		return errors.New("hcert key 1 is not a map")
	}
	h.rawDGC = rawDGC
	var d dgc
	if err := decMode.Unmarshal(rawDGC, &d); err != nil {
		return fmt.Errorf("DCC payload: %w", err)
	}
	if d.Nam == nil {
		return errors.New("DCC payload without nam")
	}
	n := 0
	for _, e := range []struct {
		present bool
		typ     string
	}{{len(d.Vaccination) > 0, TypeVaccination}, {len(d.Test) > 0, TypeTest}, {len(d.Recovery) > 0, TypeRecovery}} {
		if e.present {
			h.certType = e.typ
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("DCC payload holds %d of v, t, r; exactly one is required", n)
	}
	// Only a "not detected" result proves a negative test: a detected, an
	// unknown or a missing one does not.
	for _, t := range d.Test {
		if t.Result != testNotDetected {
			h.positive = true
		}
	}
	h.nameNat = joinName(d.Nam.FamilyName, d.Nam.GivenName)
	// Standardised names use "<" between words (ICAO 9303).
	h.nameLatin = strings.Join(strings.Fields(strings.ReplaceAll(joinName(d.Nam.FamilyNameStd, d.Nam.GivenNameStd), "<", " ")), " ")
	h.dob = d.DOB
	return nil
}

// numericDate reads a CWT NumericDate (RFC 8392): an integer or, as some
// issuers write it, a floating-point number of seconds, optionally under the
// epoch time tag 1. Fractions are dropped.
func numericDate(raw cbor.RawMessage) (int64, error) {
	var v any
	if err := decMode.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	if tag, ok := v.(cbor.Tag); ok && tag.Number == 1 {
		v = tag.Content
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		// The bounds keep the conversion exact and far from overflow.
		if math.IsNaN(x) || x < -1<<53 || x > 1<<53 {
			return 0, fmt.Errorf("%v is not a date", x)
		}
		return int64(math.Floor(x)), nil
	case time.Time:
		return x.Unix(), nil
	}
	return 0, fmt.Errorf("%T is not a date", v)
}

// joinName puts family name first, as the certificate prints it, skipping
// empty parts.
func joinName(family, given string) string {
	return strings.TrimSpace(strings.TrimSpace(family) + " " + strings.TrimSpace(given))
}
