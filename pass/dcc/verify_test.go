package dcc_test

import (
	"bytes"
	"crypto/elliptic"
	"encoding/asn1"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
	"passdesk/pass/base45"
	"passdesk/pass/dcc"
)

func TestVerifyAdmits(t *testing.T) {
	es := newES256(t, certOpts{})
	ps := newPS256(t, certOpts{})
	testOnly := newES256(t, certOpts{usage: []asn1.ObjectIdentifier{oidTest}})
	recoveryAlt := newES256(t, certOpts{usage: []asn1.ObjectIdentifier{oidRecoveryAlt}})
	p384 := newECDSA(t, elliptic.P384(), certOpts{})
	scheme := dcc.NewScheme(trustList(t, es, ps, testOnly, recoveryAlt, p384))
	floatDates := map[int]any{1: "AT", 4: float64(testExp) + 0.5, 6: float64(testIAT), -260: map[int]any{1: dgcPayload("v")}}
	taggedDates := map[int]any{1: "AT", 4: cbor.Tag{Number: 1, Content: testExp}, 6: cbor.Tag{Number: 1, Content: testIAT}, -260: map[int]any{1: dgcPayload("v")}}
	noIss := map[int]any{4: testExp, 6: testIAT, -260: map[int]any{1: dgcPayload("v")}}

	for _, tc := range []struct {
		name       string
		pass       hc1Pass
		status     pass.Status
		certType   string
		wantIssuer string
	}{
		{"es256 vaccination", hc1Pass{signer: es}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"ps256 recovery", hc1Pass{signer: ps, dgc: dgcPayload("r")}, pass.Recovered, dcc.TypeRecovery, "AT"},
		{"ps256 negative test", hc1Pass{signer: ps, dgc: dgcPayload("t")}, pass.NegativeTest, dcc.TypeTest, "AT"},
		{"test signer on a test", hc1Pass{signer: testOnly, dgc: dgcPayload("t")}, pass.NegativeTest, dcc.TypeTest, "AT"},
		{"alternative recovery OID", hc1Pass{signer: recoveryAlt, dgc: dgcPayload("r")}, pass.Recovered, dcc.TypeRecovery, "AT"},
		{"cwt tag 61", hc1Pass{signer: es, cwtTag: true}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"kid only unprotected", hc1Pass{signer: es, protected: map[int]any{1: int64(-7)}, unprotected: map[int]any{4: es.kid}}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"alg and kid unprotected", hc1Pass{signer: es, protected: map[int]any{}, unprotected: map[int]any{1: int64(-7), 4: es.kid}}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"untagged", hc1Pass{signer: es, untagged: true}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"cwt tag over untagged", hc1Pass{signer: es, untagged: true, cwtTag: true}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"es256 with a P-384 signer", hc1Pass{signer: p384}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"floating-point dates", hc1Pass{signer: es, claims: floatDates}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"tagged dates", hc1Pass{signer: es, claims: taggedDates}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
		{"no iss: the trust list's country", hc1Pass{signer: es, claims: noIss}, pass.Vaccinated, dcc.TypeVaccination, ""},
		{"wrong kid unprotected ignored", hc1Pass{signer: es, unprotected: map[int]any{4: []byte("whatever")}}, pass.Vaccinated, dcc.TypeVaccination, "AT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := scheme.Verify(tc.pass.text(t), pass.Policy{}, testNow)
			if !v.Admit || v.Reason != pass.OK {
				t.Fatalf("verdict %v %s, want admit ok", v.Admit, v.Reason)
			}
			if got, want := v.Scheme, "HC1"; got != want {
				t.Errorf("Scheme %q, want %q", got, want)
			}
			if got, want := v.Name, "Musterfrau-Gößinger Gabriele"; got != want {
				t.Errorf("Name %q, want %q", got, want)
			}
			if got, want := v.NameLatin, "MUSTERFRAU GOESSINGER GABRIELE"; got != want {
				t.Errorf("NameLatin %q, want %q", got, want)
			}
			if got, want := v.DateOfBirth, "1998-02-26"; got != want {
				t.Errorf("DateOfBirth %q, want %q", got, want)
			}
			if got, want := v.CertType, tc.certType; got != want {
				t.Errorf("CertType %q, want %q", got, want)
			}
			if got, want := v.Status, tc.status; got != want {
				t.Errorf("Status %d, want %d", got, want)
			}
			if got, want := v.Issuer, tc.wantIssuer; got != want {
				t.Errorf("Issuer %q, want %q", got, want)
			}
		})
	}
}

// TestVerifyReasons has at least one vector per reason code HC1 returns.
func TestVerifyReasons(t *testing.T) {
	es := newES256(t, certOpts{})
	ps := newPS256(t, certOpts{})
	stranger := newES256(t, certOpts{})
	future := newES256(t, certOpts{notBefore: testNow.Add(time.Hour), notAfter: testNow.Add(400 * 24 * time.Hour)})
	past := newES256(t, certOpts{notBefore: testNow.Add(-400 * 24 * time.Hour), notAfter: testNow.Add(-time.Hour)})
	testOnly := newES256(t, certOpts{usage: []asn1.ObjectIdentifier{oidTest}})
	vaccOnly := newPS256(t, certOpts{usage: []asn1.ObjectIdentifier{oidVaccination}})
	scheme := dcc.NewScheme(trustList(t, es, ps, future, past, testOnly, vaccOnly))

	valid := hc1Pass{signer: es}.text(t)
	withClaims := func(mod func(c map[int]any)) map[int]any {
		c := hc1Pass{}.claimSet()
		mod(c)
		return c
	}
	eddsa, es256 := int64(-8), int64(-7)
	positive := dgcPayload("t")
	positive["t"].([]any)[0].(map[string]any)["tr"] = "260373001"
	noResult := dgcPayload("t")
	delete(noResult["t"].([]any)[0].(map[string]any), "tr")
	twoTypes := dgcPayload("v")
	twoTypes["r"] = dgcPayload("r")["r"]

	for _, tc := range []struct {
		name string
		text string
		pol  pass.Policy
		now  time.Time
		want pass.Reason
	}{
		{"PD1 prefix", "PD1:6BFOXN%TS3DH", pass.Policy{}, testNow, pass.UnsupportedFormat},
		{"HL1 context", "HL1:" + strings.TrimPrefix(valid, "HC1:"), pass.Policy{}, testNow, pass.UnsupportedFormat},
		{"no prefix", strings.TrimPrefix(valid, "HC1:"), pass.Policy{}, testNow, pass.UnsupportedFormat},
		{"lower-case prefix", "hc1:" + strings.TrimPrefix(valid, "HC1:"), pass.Policy{}, testNow, pass.UnsupportedFormat},
		{"empty", "", pass.Policy{}, testNow, pass.UnsupportedFormat},
		{"prefix only", "HC1:", pass.Policy{}, testNow, pass.Malformed},
		{"bad base45", valid[:20] + "a" + valid[21:], pass.Policy{}, testNow, pass.Malformed},
		{"too long", "HC1:" + strings.Repeat("0", dcc.MaxTextLen), pass.Policy{}, testNow, pass.Malformed},
		{"not compressed", "HC1:" + base45.Encode(hc1Pass{signer: es}.cose(t)), pass.Policy{}, testNow, pass.Malformed},
		{"broken compression", brokenZlib(t, hc1Pass{signer: es}.cose(t)), pass.Policy{}, testNow, pass.Malformed},
		{"trailing bytes after zlib", "HC1:" + base45.Encode(append(compress(t, hc1Pass{signer: es}.cose(t)), 0)), pass.Policy{}, testNow, pass.Malformed},
		{"zlib bomb", qrText(t, make([]byte, dcc.MaxInflated+1)), pass.Policy{}, testNow, pass.Malformed},
		{"trailing CBOR", qrText(t, append(hc1Pass{signer: es}.cose(t), 0)), pass.Policy{}, testNow, pass.Malformed},
		{"not COSE", qrText(t, mustCBOR(t, map[int]any{1: 2})), pass.Policy{}, testNow, pass.Malformed},
		{"wrong tag", qrText(t, append([]byte{0xd1}, hc1Pass{signer: es}.cose(t)[1:]...)), pass.Policy{}, testNow, pass.Malformed},
		{"no alg", hc1Pass{signer: es, protected: map[int]any{4: es.kid}}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"no exp", hc1Pass{signer: es, claims: withClaims(func(c map[int]any) { delete(c, 4) })}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"exp not a number", hc1Pass{signer: es, claims: withClaims(func(c map[int]any) { c[4] = math.NaN() })}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"exp as text", hc1Pass{signer: es, claims: withClaims(func(c map[int]any) { c[4] = "soon" })}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"no hcert", hc1Pass{signer: es, claims: withClaims(func(c map[int]any) { delete(c, -260) })}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"hcert payload in a byte string", hc1Pass{signer: es, claims: withClaims(func(c map[int]any) {
			c[-260] = map[int]any{1: mustCBOR(t, dgcPayload("v"))}
		})}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"two certificate types", hc1Pass{signer: es, dgc: twoTypes}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"no certificate type", hc1Pass{signer: es, dgc: dgcPayload("")}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"no name", hc1Pass{signer: es, dgc: func() map[string]any { d := dgcPayload("v"); delete(d, "nam"); return d }()}.text(t), pass.Policy{}, testNow, pass.Malformed},
		{"unknown kid", hc1Pass{signer: stranger}.text(t), pass.Policy{}, testNow, pass.UnknownIssuer},
		{"no kid", hc1Pass{signer: es, protected: map[int]any{1: es256}}.text(t), pass.Policy{}, testNow, pass.UnknownIssuer},
		{"wrong protected kid beats right unprotected", hc1Pass{signer: es, protected: map[int]any{1: es256, 4: []byte("foo")}, unprotected: map[int]any{4: es.kid}}.text(t), pass.Policy{}, testNow, pass.UnknownIssuer},
		{"tampered es256", hc1Pass{signer: es, tamper: true}.text(t), pass.Policy{}, testNow, pass.BadIssuerSignature},
		{"tampered ps256", hc1Pass{signer: ps, tamper: true}.text(t), pass.Policy{}, testNow, pass.BadIssuerSignature},
		{"signed by another key under a trusted kid", hc1Pass{signer: &docSigner{key: stranger.key, alg: -7, kid: es.kid}}.text(t), pass.Policy{}, testNow, pass.BadIssuerSignature},
		{"unsupported alg", hc1Pass{signer: es, alg: &eddsa}.text(t), pass.Policy{}, testNow, pass.BadIssuerSignature},
		{"es256 alg on an RSA signer", hc1Pass{signer: ps, alg: &es256}.text(t), pass.Policy{}, testNow, pass.BadIssuerSignature},
		{"before iat", valid, pass.Policy{}, time.Unix(testIAT-1, 0), pass.CredentialNotYetValid},
		{"signer not yet valid", hc1Pass{signer: future}.text(t), pass.Policy{}, testNow, pass.CredentialNotYetValid},
		{"after exp", valid, pass.Policy{}, time.Unix(testExp+1, 0), pass.CredentialExpired},
		{"signer expired", hc1Pass{signer: past}.text(t), pass.Policy{}, testNow, pass.CredentialExpired},
		{"test signer on a vaccination", hc1Pass{signer: testOnly}.text(t), pass.Policy{}, testNow, dcc.WrongCertificateType},
		{"vaccination signer on a recovery", hc1Pass{signer: vaccOnly, dgc: dgcPayload("r")}.text(t), pass.Policy{}, testNow, dcc.WrongCertificateType},
		{"status not admitted", valid, pass.Policy{Statuses: []pass.Status{pass.NegativeTest}}, testNow, pass.PolicyDenied},
		{"positive test", hc1Pass{signer: es, dgc: positive}.text(t), pass.Policy{}, testNow, pass.RulesFailed},
		{"test without result", hc1Pass{signer: es, dgc: noResult}.text(t), pass.Policy{}, testNow, pass.RulesFailed},
		{"too young", valid, pass.Policy{MinAge: 30}, testNow, pass.PolicyDenied},
		{"too old", valid, pass.Policy{MaxAge: 20}, testNow, pass.PolicyDenied},
		{"no birth year under an age rule", hc1Pass{signer: es, dgc: func() map[string]any { d := dgcPayload("v"); d["dob"] = ""; return d }()}.text(t), pass.Policy{MinAge: 18}, testNow, pass.PolicyDenied},
		{"age rule met", valid, pass.Policy{MinAge: 18, MaxAge: 30}, testNow, pass.OK},
		{"status admitted", valid, pass.Policy{Statuses: []pass.Status{pass.Vaccinated}}, testNow, pass.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := scheme.Verify(tc.text, tc.pol, tc.now)
			if v.Reason != tc.want {
				t.Fatalf("reason %s, want %s", v.Reason, tc.want)
			}
			if v.Admit != (tc.want == pass.OK) {
				t.Errorf("Admit %v with reason %s", v.Admit, v.Reason)
			}
			if v.Scheme != "HC1" {
				t.Errorf("Scheme %q, want HC1", v.Scheme)
			}
			// Nobody vouched for what an unverified pass says.
			unsigned := tc.want == pass.UnsupportedFormat || tc.want == pass.Malformed ||
				tc.want == pass.UnknownIssuer || tc.want == pass.BadIssuerSignature
			if unsigned && (v.Name != "" || v.NameLatin != "" || v.DateOfBirth != "" || v.CertType != "") {
				t.Errorf("unverified pass shows %q %q %q %q", v.Name, v.NameLatin, v.DateOfBirth, v.CertType)
			}
		})
	}
}

// TestVerifyRulesOff: without business rules a positive or result-less
// test still proves no status a venue admits.
func TestVerifyRulesOff(t *testing.T) {
	es := newES256(t, certOpts{})
	scheme, err := dcc.New(trustList(t, es), dcc.Options{NoRules: true})
	if err != nil {
		t.Fatal(err)
	}
	positive := dgcPayload("t")
	positive["t"].([]any)[0].(map[string]any)["tr"] = "260373001"
	old := dgcPayload("v")
	old["v"].([]any)[0].(map[string]any)["dt"] = "2021-02-18"
	for _, tc := range []struct {
		name string
		dgc  map[string]any
		want pass.Reason
	}{{"positive test", positive, pass.PolicyDenied}, {"vaccinated five years ago", old, pass.OK}} {
		t.Run(tc.name, func(t *testing.T) {
			if v := scheme.Verify(hc1Pass{signer: es, dgc: tc.dgc}.text(t), pass.Policy{}, testNow); v.Reason != tc.want {
				t.Errorf("reason %s, want %s", v.Reason, tc.want)
			}
		})
	}
}

func TestNilTrustStore(t *testing.T) {
	es := newES256(t, certOpts{})
	v := dcc.NewScheme(nil).Verify(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
	if v.Reason != pass.UnknownIssuer {
		t.Fatalf("reason %s, want unknown_issuer", v.Reason)
	}
}

func TestPrefix(t *testing.T) {
	if got, want := dcc.NewScheme(nil).Prefix(), "HC1:"; got != want {
		t.Fatalf("Prefix %q, want %q", got, want)
	}
}

// brokenZlib returns a text whose zlib stream is cut short.
func brokenZlib(t *testing.T, msg []byte) string {
	t.Helper()
	z := compress(t, msg)
	z = bytes.Clone(z[:len(z)-10])
	return "HC1:" + base45.Encode(z)
}
