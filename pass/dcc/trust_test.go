package dcc_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

func TestParseTrustListShapes(t *testing.T) {
	es := newES256(t, certOpts{})
	b64 := base64.StdEncoding.EncodeToString
	cert, kid := b64(es.der), b64(es.kid)
	pemCert := strings.ReplaceAll(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: es.der})), "\n", `\n`)
	for _, tc := range []struct {
		name string
		json string
	}{
		{"kid and certificate", fmt.Sprintf(`[{"kid":%q,"certificate":%q}]`, kid, cert)},
		{"gateway names", fmt.Sprintf(`[{"kid":%q,"rawData":%q,"country":"AT","certificateType":"DSC"}]`, kid, cert)},
		{"kidB64", fmt.Sprintf(`[{"kidB64":%q,"rawData":%q}]`, kid, cert)},
		{"wrapped in certificates", fmt.Sprintf(`{"certificates":[{"kid":%q,"rawData":%q}]}`, kid, cert)},
		{"no kid: computed", fmt.Sprintf(`[{"certificate":%q}]`, cert)},
		{"url-safe unpadded", fmt.Sprintf(`[{"kid":%q,"certificate":%q}]`, base64.RawURLEncoding.EncodeToString(es.kid), base64.RawURLEncoding.EncodeToString(es.der))},
		{"pem", fmt.Sprintf(`[{"kid":%q,"certificate":"%s"}]`, kid, pemCert)},
		{"other types left out", fmt.Sprintf(`[{"kid":"AAAAAAAAAAA=","rawData":"AAAA","certificateType":"CSCA"},{"kid":%q,"rawData":%q}]`, kid, cert)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := dcc.ParseTrustList([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ts.Len(), 1; got != want {
				t.Fatalf("Len %d, want %d", got, want)
			}
			v := dcc.NewScheme(ts).Verify(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
			if !v.Admit {
				t.Fatalf("reason %s, want admit", v.Reason)
			}
		})
	}
}

func TestParseTrustListSkipsAndRefuses(t *testing.T) {
	es := newES256(t, certOpts{})
	cert := base64.StdEncoding.EncodeToString(es.der)
	ts, err := dcc.ParseTrustList([]byte(fmt.Sprintf(`[{"kid":"AAAAAAAAAAA=","certificate":"bm90IGEgY2VydA=="},{"certificate":%q}]`, cert)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ts.Len(), 1; got != want {
		t.Errorf("Len %d, want %d", got, want)
	}
	if len(ts.Skipped) != 1 || !strings.Contains(ts.Skipped[0], "entry 0") {
		t.Errorf("Skipped %q, want entry 0", ts.Skipped)
	}
	for _, tc := range []struct{ name, json string }{
		{"not JSON", `kid,certificate`},
		{"empty list", `[]`},
		{"object without list", `{"keys":[]}`},
		{"certificate not base64", `[{"certificate":"!!!"}]`},
		{"certificate not a string", `[{"certificate":42}]`},
		{"no certificate", `[{"kid":"AAAAAAAAAAA="}]`},
		{"only other types", fmt.Sprintf(`[{"certificate":%q,"certificateType":"UPLOAD"}]`, cert)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := dcc.ParseTrustList([]byte(tc.json)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestLoadTrustFile(t *testing.T) {
	es := newES256(t, certOpts{})
	dir := t.TempDir()
	path := filepath.Join(dir, "dsc.json")
	data := fmt.Sprintf(`[{"kid":%q,"certificate":%q}]`, base64.StdEncoding.EncodeToString(es.kid), base64.StdEncoding.EncodeToString(es.der))
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, err := dcc.LoadTrustFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Len() != 1 {
		t.Fatalf("Len %d, want 1", ts.Len())
	}
	if _, err := dcc.LoadTrustFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dcc.LoadTrustFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: error %v, want one naming the file", err)
	}
}

// TestKidCollision: two signers under one kid; the one whose key verifies
// wins.
func TestKidCollision(t *testing.T) {
	a, b := newES256(t, certOpts{}), newES256(t, certOpts{})
	list := fmt.Sprintf(`[{"kid":"AQIDBAUGBwg=","certificate":%q},{"kid":"AQIDBAUGBwg=","certificate":%q}]`,
		base64.StdEncoding.EncodeToString(a.der), base64.StdEncoding.EncodeToString(b.der))
	ts, err := dcc.ParseTrustList([]byte(list))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*docSigner{a, b} {
		p := hc1Pass{signer: &docSigner{key: s.key, alg: -7, kid: []byte{1, 2, 3, 4, 5, 6, 7, 8}}}
		if v := dcc.NewScheme(ts).Verify(p.text(t), pass.Policy{}, testNow); !v.Admit {
			t.Errorf("reason %s, want admit", v.Reason)
		}
	}
}

// TestNegativeSerialCertificate: crypto/x509 refuses negative serial numbers,
// which real document signers carry; the trust store still reads them.
func TestNegativeSerialCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(0x123456),
		Subject:            pkix.Name{CommonName: "PassDesk negative serial DSC"},
		NotBefore:          certFrom,
		NotAfter:           certTo,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidTest},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	der = bytes.Replace(der, []byte{2, 3, 0x12, 0x34, 0x56}, []byte{2, 3, 0x92, 0x34, 0x56}, 1)
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Skip("crypto/x509 reads negative serial numbers here")
	}
	sum := sha256.Sum256(der)
	s := &docSigner{key: key, alg: -7, der: der, kid: sum[:8]}
	scheme := dcc.NewScheme(trustList(t, s))
	if v := scheme.Verify(hc1Pass{signer: s, dgc: dgcPayload("t")}.text(t), pass.Policy{}, testNow); !v.Admit {
		t.Errorf("test certificate: reason %s, want admit", v.Reason)
	}
	// The extended key usage was read too.
	if v := scheme.Verify(hc1Pass{signer: s}.text(t), pass.Policy{}, testNow); v.Reason != dcc.WrongCertificateType {
		t.Errorf("vaccination certificate: reason %s, want %s", v.Reason, dcc.WrongCertificateType)
	}
	if v := scheme.Verify(hc1Pass{signer: s}.text(t), pass.Policy{}, certTo.AddDate(0, 0, 1)); v.Reason != pass.CredentialExpired {
		t.Errorf("after the certificate: reason %s, want %s", v.Reason, pass.CredentialExpired)
	}
}

// FuzzParseTrustList: a trust file is the operator's, but a damaged or
// hostile one must still end in an error, never a panic.
func FuzzParseTrustList(f *testing.F) {
	es := newES256(f, certOpts{})
	cert := base64.StdEncoding.EncodeToString(es.der)
	f.Add([]byte(fmt.Sprintf(`[{"kid":%q,"certificate":%q}]`, base64.StdEncoding.EncodeToString(es.kid), cert)))
	f.Add([]byte(fmt.Sprintf(`{"certificates":[{"rawData":%q,"certificateType":"DSC","country":"AT"}]}`, cert)))
	f.Add([]byte(`[{"certificate":"MIIB"}]`))
	f.Add([]byte(`{"certificates":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := dcc.ParseTrustList(data)
		if err == nil && ts.Len() == 0 {
			t.Fatal("an empty trust store without an error")
		}
	})
}

// TestExplicitCurveParameters: some national document signers spell out
// the P-256 parameters instead of naming the curve, which crypto/x509
// refuses; the trust store reads them, and only for the NIST curves.
func TestExplicitCurveParameters(t *testing.T) {
	s := newES256(t, certOpts{})
	key := s.key.(*ecdsa.PrivateKey)
	der := withSPKI(t, s.der, explicitSPKI(t, &key.PublicKey, nil))
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Skip("crypto/x509 reads explicit curve parameters here")
	}
	sum := sha256.Sum256(der)
	signer := &docSigner{key: key, alg: -7, der: der, kid: sum[:8]}
	if v := dcc.NewScheme(trustList(t, signer)).Verify(hc1Pass{signer: signer}.text(t), pass.Policy{}, testNow); !v.Admit {
		t.Fatalf("reason %s, want admit", v.Reason)
	}

	// The same parameters with another base point are another curve.
	odd := withSPKI(t, s.der, explicitSPKI(t, &key.PublicKey, func(p *testECParams) { p.Base[len(p.Base)-1] ^= 1 }))
	list := fmt.Sprintf(`[{"certificate":%q}]`, base64.StdEncoding.EncodeToString(odd))
	if _, err := dcc.ParseTrustList([]byte(list)); err == nil {
		t.Error("a certificate on an unknown curve was accepted")
	}
}

type testECParams struct {
	Version int
	FieldID struct {
		FieldType asn1.ObjectIdentifier
		Prime     *big.Int
	}
	Curve struct{ A, B []byte }
	Base  []byte
	Order *big.Int
}

func explicitSPKI(t *testing.T, pub *ecdsa.PublicKey, mod func(*testECParams)) []byte {
	t.Helper()
	cp := pub.Curve.Params()
	size := (cp.BitSize + 7) / 8
	var p testECParams
	p.Version = 1
	p.FieldID.FieldType = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	p.FieldID.Prime = cp.P
	p.Curve.A = new(big.Int).Sub(cp.P, big.NewInt(3)).FillBytes(make([]byte, size))
	p.Curve.B = cp.B.FillBytes(make([]byte, size))
	p.Base = append(append([]byte{4}, cp.Gx.FillBytes(make([]byte, size))...), cp.Gy.FillBytes(make([]byte, size))...)
	p.Order = cp.N
	if mod != nil {
		mod(&p)
	}
	params, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	point, err := pub.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := asn1.Marshal(struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		PublicKey asn1.BitString
	}{
		Algorithm: struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}{asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return spki
}

// withSPKI returns the certificate with its public key info replaced (its
// signature no longer matches, which a trust store does not check).
func withSPKI(t *testing.T, der, spki []byte) []byte {
	t.Helper()
	var cert struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		t.Fatal(err)
	}
	var tbs struct {
		Version, Serial, SigAlg, Issuer, Validity, Subject, SPKI asn1.RawValue
		Extensions                                               asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(cert.TBS.FullBytes, &tbs); err != nil {
		t.Fatal(err)
	}
	tbs.SPKI = asn1.RawValue{FullBytes: spki}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		t.Fatal(err)
	}
	cert.TBS = asn1.RawValue{FullBytes: tbsDER}
	out, err := asn1.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
