package dcc_test

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass/base45"
	"passdesk/pass/dcc"
)

// The vectors' clock: certificates are valid for a year around it, passes
// are issued a day before it and expire a month after.
var (
	testNow  = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	testIAT  = testNow.Add(-24 * time.Hour).Unix()
	testExp  = testNow.Add(30 * 24 * time.Hour).Unix()
	certFrom = testNow.Add(-180 * 24 * time.Hour)
	certTo   = testNow.Add(180 * 24 * time.Hour)
)

// The EU DCC extended key usage OIDs.
var (
	oidTest        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}
	oidVaccination = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}
	oidRecoveryAlt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 3}
)

// docSigner is a generated document signer: key, certificate and kid.
type docSigner struct {
	key crypto.Signer
	alg int64
	der []byte
	kid []byte
}

type certOpts struct {
	notBefore, notAfter time.Time
	usage               []asn1.ObjectIdentifier
}

func newSigner(t testing.TB, key crypto.Signer, alg int64, o certOpts) *docSigner {
	t.Helper()
	if o.notBefore.IsZero() {
		o.notBefore, o.notAfter = certFrom, certTo
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(time.Now().UnixNano()),
		Subject:            pkix.Name{Country: []string{"AT"}, CommonName: "PassDesk test DSC"},
		NotBefore:          o.notBefore,
		NotAfter:           o.notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: o.usage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return &docSigner{key: key, alg: alg, der: der, kid: sum[:8]}
}

func newES256(t testing.TB, o certOpts) *docSigner {
	t.Helper()
	return newECDSA(t, elliptic.P256(), o)
}

func newECDSA(t testing.TB, curve elliptic.Curve, o certOpts) *docSigner {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newSigner(t, key, -7, o)
}

// RSA keys are slow to make: one serves every PS256 vector.
var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func newPS256(t testing.TB, o certOpts) *docSigner {
	t.Helper()
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return newSigner(t, rsaKey, -37, o)
}

// trustList is the JSON shape national gateways publish.
func trustList(t testing.TB, signers ...*docSigner) *dcc.TrustStore {
	t.Helper()
	var list []map[string]string
	for _, s := range signers {
		list = append(list, map[string]string{
			"kid":         base64.StdEncoding.EncodeToString(s.kid),
			"certificate": base64.StdEncoding.EncodeToString(s.der),
		})
	}
	data, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := dcc.ParseTrustList(data)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// The EU DCC payloads of the three certificate types, within the built-in
// business rules at testNow.
func dgcPayload(certType string) map[string]any {
	d := map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": "Musterfrau-Gößinger", "gn": "Gabriele", "fnt": "MUSTERFRAU<GOESSINGER", "gnt": "GABRIELE"},
		"dob": "1998-02-26",
	}
	switch certType {
	case "v":
		d["v"] = []any{map[string]any{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 2, "dt": "2026-09-01", "co": "AT", "is": "Ministry of Health, Austria", "ci": "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"}}
	case "t":
		d["t"] = []any{map[string]any{"tg": "840539006", "tt": "LP6464-4", "sc": "2026-11-24T08:00:00Z", "tr": "260415000", "tc": "Test centre Vienna", "co": "AT", "is": "Ministry of Health, Austria", "ci": "URN:UVCI:01:AT:B5921A35D6A0D696421B3E2462178297#I"}}
	case "r":
		d["r"] = []any{map[string]any{"tg": "840539006", "fr": "2026-10-01", "co": "AT", "is": "Ministry of Health, Austria", "df": "2026-10-12", "du": "2027-03-29", "ci": "URN:UVCI:01:AT:858CC18CFCF5965EF82F60E493349AA5#K"}}
	}
	return d
}

// pass describes one HC1 vector; the zero value beyond the signer is a
// valid vaccination certificate.
type hc1Pass struct {
	signer      *docSigner
	dgc         map[string]any // default dgcPayload("v")
	claims      map[int]any    // replaces the CWT claims when set
	alg         *int64         // overrides the signer's alg in the header
	protected   map[int]any    // replaces the protected header when set
	unprotected map[int]any
	tamper      bool // flip a signature bit
	cwtTag      bool // wrap in the CWT tag 61
	untagged    bool // leave out the COSE_Sign1 tag 18
}

func (p hc1Pass) claimSet() map[int]any {
	if p.claims != nil {
		return p.claims
	}
	d := p.dgc
	if d == nil {
		d = dgcPayload("v")
	}
	return map[int]any{1: "AT", 4: testExp, 6: testIAT, -260: map[int]any{1: d}}
}

// cose returns the COSE_Sign1 bytes (tag 18).
func (p hc1Pass) cose(t testing.TB) []byte {
	t.Helper()
	payload := mustCBOR(t, p.claimSet())
	alg := p.signer.alg
	if p.alg != nil {
		alg = *p.alg
	}
	ph := p.protected
	if ph == nil {
		ph = map[int]any{1: alg, 4: p.signer.kid}
	}
	var protected []byte
	if len(ph) > 0 {
		protected = mustCBOR(t, ph)
	} else {
		protected = []byte{}
	}
	uh := p.unprotected
	if uh == nil {
		uh = map[int]any{}
	}
	tbs := mustCBOR(t, []any{"Signature1", protected, []byte{}, payload})
	digest := sha256.Sum256(tbs)
	var sig []byte
	switch k := p.signer.key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
	case *rsa.PrivateKey:
		var err error
		sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			t.Fatal(err)
		}
	}
	if p.tamper {
		sig[len(sig)-1] ^= 1
	}
	var msg []byte
	if p.untagged {
		msg = mustCBOR(t, []any{protected, uh, payload, sig})
	} else {
		msg = mustCBOR(t, cbor.Tag{Number: 18, Content: []any{protected, uh, payload, sig}})
	}
	if p.cwtTag {
		msg = append([]byte{0xd8, 61}, msg...)
	}
	return msg
}

// text returns the QR text of the pass.
func (p hc1Pass) text(t testing.TB) string {
	t.Helper()
	return qrText(t, p.cose(t))
}

// qrText compresses and encodes a COSE message as an HC1 QR text.
func qrText(t testing.TB, msg []byte) string {
	t.Helper()
	return dcc.Prefix + base45.Encode(compress(t, msg))
}

func compress(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
