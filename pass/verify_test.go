package pass_test

import (
	"bytes"
	"crypto/ed25519"
	"math"
	"strings"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/passtest"
)

var now = time.Unix(passtest.Now, 0)

func TestVerifyFillsVerdict(t *testing.T) {
	tl, rl := world(t)
	v := pass.Verify(passtest.Good().QR(), tl, rl, pass.Policy{}, pass.Rules{}, now)
	if !v.Admit || v.Reason != pass.OK || v.Scheme != "PD1" || v.Name != passtest.HolderName ||
		v.Status != pass.Vaccinated || v.Issuer != passtest.IssuerName || v.IssuedAt != passtest.Now ||
		!bytes.Equal(v.CID, passtest.CID) || !bytes.Equal(v.Sub, passtest.Sub) {
		t.Errorf("verdict %+v", v)
	}
	// A denied pass that decoded still names its holder for the staff.
	v = pass.Verify(passtest.Good().WithIAT(0).QR(), tl, rl, pass.Policy{}, pass.Rules{}, now)
	if v.Admit || v.Reason != pass.QRExpired || v.Name != passtest.HolderName || v.IssuedAt != 0 {
		t.Errorf("verdict %+v", v)
	}
	v = pass.Verify("PD1:%%%", tl, rl, pass.Policy{}, pass.Rules{}, now)
	if v.Reason != pass.Malformed || v.Scheme != "PD1" || v.Name != "" || v.CID != nil {
		t.Errorf("verdict %+v", v)
	}
}

func TestVerifyWithoutTrustList(t *testing.T) {
	v := pass.Verify(passtest.Good().QR(), nil, nil, pass.Policy{}, pass.Rules{}, now)
	if v.Reason != pass.TrustListStale {
		t.Errorf("reason %s, want trust_list_stale", v.Reason)
	}
}

// Revocation: an absent list revokes nothing; a stale one still names
// what it revoked (staleness itself does not change a verdict).
func TestVerifyRevocationListStates(t *testing.T) {
	tl, rl := world(t)
	revoked := passtest.Good().WithClaim(2, passtest.Bytes(passtest.RevokedCID)).QR()
	if v := pass.Verify(revoked, tl, nil, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.OK {
		t.Errorf("no list: reason %s, want ok", v.Reason)
	}
	later := time.Unix(passtest.RevokeExp+1, 0)
	freshTL := &pass.TrustList{Seq: tl.Seq, Expires: math.MaxInt64, Keys: tl.Keys}
	qr := passtest.Good().WithClaim(2, passtest.Bytes(passtest.RevokedCID)).WithIAT(uint64(later.Unix())).QR()
	if v := pass.Verify(qr, freshTL, rl, pass.Policy{}, pass.Rules{}, later); v.Reason != pass.Revoked {
		t.Errorf("stale list: reason %s, want revoked", v.Reason)
	}
	good := passtest.Good().WithIAT(uint64(later.Unix())).QR()
	if v := pass.Verify(good, freshTL, rl, pass.Policy{}, pass.Rules{}, later); v.Reason != pass.OK {
		t.Errorf("stale list, cid not listed: reason %s, want ok", v.Reason)
	}
	hand := &pass.RevocationList{CIDs: [][16]byte{[16]byte(passtest.RevokedCID)}}
	if v := pass.Verify(revoked, tl, hand, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.Revoked {
		t.Errorf("list built by hand: reason %s, want revoked", v.Reason)
	}
}

func TestVerifyRulesEdges(t *testing.T) {
	tl, rl := world(t)
	for _, c := range []struct {
		name  string
		rules pass.Rules
		iat   int64 // relative to now
		want  pass.Reason
	}{
		{"default window edge", pass.Rules{}, -20, pass.OK},
		{"default window past edge", pass.Rules{}, -21, pass.QRExpired},
		{"default skew edge", pass.Rules{}, 5, pass.OK},
		{"default skew past edge", pass.Rules{}, 6, pass.QRFromFuture},
		{"window 30 skew 0", pass.Rules{Window: 30 * time.Second, Skew: -1}, -30, pass.OK},
		{"window 30 skew 0 past edge", pass.Rules{Window: 30 * time.Second, Skew: -1}, -31, pass.QRExpired},
		{"skew 0 same second", pass.Rules{Skew: -1}, 0, pass.OK},
		{"skew 0 one second ahead", pass.Rules{Skew: -1}, 1, pass.QRFromFuture},
		{"fractional skew rounds down", pass.Rules{Skew: 2500 * time.Millisecond}, 3, pass.QRFromFuture},
		{"fractional skew edge", pass.Rules{Skew: 2500 * time.Millisecond}, 2, pass.OK},
		{"only window set keeps default skew", pass.Rules{Window: 10 * time.Second}, -15, pass.OK},
		{"huge window", pass.Rules{Window: math.MaxInt64}, -passtest.Now, pass.OK},
	} {
		t.Run(c.name, func(t *testing.T) {
			qr := passtest.Good().WithIAT(uint64(passtest.Now + c.iat)).QR()
			if v := pass.Verify(qr, tl, rl, pass.Policy{}, c.rules, now); v.Reason != c.want {
				t.Errorf("reason %s, want %s", v.Reason, c.want)
			}
		})
	}
}

// TestVerifySubSecondNow checks that now is taken in whole seconds, like
// every time in a pass.
func TestVerifySubSecondNow(t *testing.T) {
	tl, rl := world(t)
	qr := passtest.Good().WithIAT(uint64(passtest.Now - 20)).QR()
	if v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, now.Add(999*time.Millisecond)); v.Reason != pass.OK {
		t.Errorf("reason %s, want ok", v.Reason)
	}
}

func TestVerifyExtremeNow(t *testing.T) {
	tl, rl := world(t)
	qr := passtest.Good().QR()
	for _, at := range []time.Time{time.Unix(-1<<62, 0), time.Unix(0, 0), time.Unix(math.MaxInt64, 0), {}} {
		v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, at)
		if v.Admit {
			t.Errorf("admitted at %v", at)
		}
	}
	keepAll := &pass.TrustList{Expires: math.MaxInt64, Keys: []pass.TrustedKey{{
		Kid: pass.KeyID(passtest.Pub(passtest.Issuer)), Issuer: passtest.IssuerName,
		Public: passtest.Pub(passtest.Issuer), NotBefore: math.MinInt64, Expires: math.MaxInt64,
	}}}
	if v := pass.Verify(qr, keepAll, nil, pass.Policy{}, pass.Rules{}, time.Unix(-5, 0)); v.Reason != pass.CredentialNotYetValid {
		t.Errorf("before 1970: reason %s, want credential_not_yet_valid", v.Reason)
	}
}

func TestVerifyBadTrustListKey(t *testing.T) {
	// A list built by hand with a key of the wrong size must not panic.
	iss := passtest.Pub(passtest.Issuer)
	tl := &pass.TrustList{Expires: math.MaxInt64, Keys: []pass.TrustedKey{{
		Kid: pass.KeyID(iss), Issuer: passtest.IssuerName, Public: iss[:31], Expires: math.MaxInt64,
	}}}
	if v := pass.Verify(passtest.Good().QR(), tl, nil, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.BadIssuerSignature {
		t.Errorf("reason %s, want bad_issuer_signature", v.Reason)
	}
}

func TestVerifyLongTexts(t *testing.T) {
	tl, rl := world(t)
	for _, n := range []int{1025, 4096, 1 << 20} {
		for prefix, want := range map[string]pass.Reason{"PD1:": pass.Malformed, "HC1:": pass.UnsupportedFormat, "": pass.UnsupportedFormat} {
			text := prefix + strings.Repeat("A", n)
			if v := pass.Verify(text, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != want {
				t.Errorf("%q + %d chars: reason %s, want %s", prefix, n, v.Reason, want)
			}
		}
	}
}

func TestVerifyAny(t *testing.T) {
	tl, rl := world(t)
	schemes := []pass.Scheme{stubScheme{}}
	if v := pass.VerifyAny("HC1:ABC", schemes, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Scheme != "HC1" || v.Reason != pass.Revoked {
		t.Errorf("HC1 verdict %+v", v)
	}
	if v := pass.VerifyAny("HC1:ABC", nil, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.UnsupportedFormat {
		t.Errorf("HC1 without scheme: %+v", v)
	}
	if v := pass.VerifyAny(passtest.Good().QR(), schemes, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.OK || v.Scheme != "PD1" {
		t.Errorf("PD1 verdict %+v", v)
	}
}

type stubScheme struct{}

func (stubScheme) Prefix() string { return "HC1:" }

func (stubScheme) Verify(string, pass.Policy, time.Time) pass.Verdict {
	return pass.Verdict{Reason: pass.Revoked, Scheme: "HC1"}
}

func TestPolicyAdmits(t *testing.T) {
	at := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		pol  pass.Policy
		c    pass.Claims
		want bool
	}{
		{"default 1", pass.Policy{}, pass.Claims{Status: 1}, true},
		{"default 4", pass.Policy{}, pass.Claims{Status: 4}, true},
		{"default 0", pass.Policy{}, pass.Claims{Status: 0}, false},
		{"default 5", pass.Policy{}, pass.Claims{Status: 5}, false},
		{"vaccinated only admits 1", pass.Policy{Statuses: []pass.Status{1}}, pass.Claims{Status: 1}, true},
		{"vaccinated only denies 3", pass.Policy{Statuses: []pass.Status{1}}, pass.Claims{Status: 3}, false},
		{"empty list denies all", pass.Policy{Statuses: []pass.Status{}}, pass.Claims{Status: 1}, false},
		{"listed 0 still denied", pass.Policy{Statuses: []pass.Status{0}}, pass.Claims{Status: 0}, false},
		{"min age met", pass.Policy{MinAge: 19}, pass.Claims{Status: 1, BirthYear: 2008}, true},
		{"min age not met", pass.Policy{MinAge: 19}, pass.Claims{Status: 1, BirthYear: 2009}, false},
		{"min age without birth year", pass.Policy{MinAge: 19}, pass.Claims{Status: 1}, false},
		{"max age met", pass.Policy{MaxAge: 18}, pass.Claims{Status: 1, BirthYear: 2009}, true},
		{"max age exceeded", pass.Policy{MaxAge: 18}, pass.Claims{Status: 1, BirthYear: 2008}, false},
		{"age rule does not save status", pass.Policy{MinAge: 19}, pass.Claims{Status: 7, BirthYear: 1950}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.pol.Admits(c.c, at); got != c.want {
				t.Errorf("Admits = %v, want %v", got, c.want)
			}
		})
	}
}

func TestVerifyPolicyAge(t *testing.T) {
	tl, rl := world(t)
	qr := passtest.Good().QR() // born 1990
	if v := pass.Verify(qr, tl, rl, pass.Policy{MinAge: 60}, pass.Rules{}, now); v.Reason != pass.PolicyDenied {
		t.Errorf("reason %s, want policy_denied", v.Reason)
	}
	if v := pass.Verify(qr, tl, rl, pass.Policy{MinAge: 19}, pass.Rules{}, now); v.Reason != pass.OK {
		t.Errorf("reason %s, want ok", v.Reason)
	}
}

// TestIssueAndPresent checks pass's own encoder against the rules.
func TestIssueAndPresent(t *testing.T) {
	tl, rl := world(t)
	claims := pass.Claims{
		Issuer: passtest.IssuerName, CID: [16]byte{9}, Sub: [16]byte{8}, Name: "Kim S*", Status: pass.NegativeTest,
		NotBefore: passtest.Now - 10, Expires: passtest.Now + 10, HolderKey: passtest.Pub(passtest.Holder),
	}
	cred, err := pass.IssueCredential(passtest.Issuer, claims)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := pass.Present(cred, passtest.Holder, passtest.Now-3)
	if err != nil {
		t.Fatal(err)
	}
	if len(qr) > pass.MaxTextLen {
		t.Errorf("QR text is %d characters", len(qr))
	}
	p, err := pass.Parse(qr)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kid != pass.KeyID(passtest.Pub(passtest.Issuer)) || p.IssuedAt != passtest.Now-3 ||
		!bytes.Equal(p.Credential, cred) || p.Claims.Name != claims.Name || p.Claims.CID != claims.CID ||
		p.Claims.Sub != claims.Sub || p.Claims.Status != claims.Status || p.Claims.NotBefore != claims.NotBefore ||
		p.Claims.Expires != claims.Expires || !p.Claims.HolderKey.Equal(claims.HolderKey) || p.Claims.BirthYear != 0 {
		t.Errorf("parsed %+v", p)
	}
	if v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.OK {
		t.Errorf("reason %s, want ok", v.Reason)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	good := pass.Claims{HolderKey: passtest.Pub(passtest.Holder)}
	for name, f := range map[string]func() error{
		"short issuer key": func() error { _, err := pass.IssueCredential(passtest.Issuer[:32], good); return err },
		"nil issuer key":   func() error { _, err := pass.IssueCredential(nil, good); return err },
		"short holder key": func() error {
			_, err := pass.IssueCredential(passtest.Issuer, pass.Claims{HolderKey: make(ed25519.PublicKey, 31)})
			return err
		},
		"negative exp": func() error {
			_, err := pass.IssueCredential(passtest.Issuer, pass.Claims{HolderKey: good.HolderKey, Expires: -1})
			return err
		},
		"short presenting key": func() error { _, err := pass.Present([]byte{1}, passtest.Holder[:63], 0); return err },
		"negative iat":         func() error { _, err := pass.Present([]byte{1}, passtest.Holder, -1); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseClampsHugeTimes(t *testing.T) {
	qr := passtest.Good().WithIAT(math.MaxUint64).WithClaim(7, passtest.Uint(math.MaxUint64)).QR()
	p, err := pass.Parse(qr)
	if err != nil {
		t.Fatal(err)
	}
	if p.IssuedAt != math.MaxInt64 || p.Claims.Expires != math.MaxInt64 {
		t.Errorf("iat %d exp %d, want both MaxInt64", p.IssuedAt, p.Claims.Expires)
	}
}

func TestReasonOf(t *testing.T) {
	if r := pass.ReasonOf(nil); r != "" {
		t.Errorf("ReasonOf(nil) = %q", r)
	}
	_, err := pass.Parse("PD1:A")
	if r := pass.ReasonOf(err); r != pass.Malformed {
		t.Errorf("ReasonOf = %q", r)
	}
	if !strings.Contains(err.Error(), "base45") {
		t.Errorf("error %q does not say what is wrong", err)
	}
}
