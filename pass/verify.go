package pass

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"time"
)

// SchemePD1 is the Verdict.Scheme of PD1 passes.
const SchemePD1 = "PD1"

// Verify checks a QR text in DESIGN.md's order and stops at the first
// failure. It is pure: the same arguments always give the same verdict.
// tl nil means no trust list is held; rl nil means none is held. A stale
// revocation list is still consulted: staleness alone never changes a
// verdict, but what it revoked stays revoked. A zero Rules field takes its
// default (a negative one means zero).
func Verify(text string, tl *TrustList, rl *RevocationList, pol Policy, rules Rules, now time.Time) Verdict {
	if !strings.HasPrefix(text, Prefix) {
		return Verdict{Reason: UnsupportedFormat}
	}
	d, err := parse(text)
	if err != nil {
		return Verdict{Scheme: SchemePD1, Reason: ReasonOf(err)}
	}
	return d.Verify(tl, rl, pol, rules, now)
}

// Verify checks a parsed presentation (DESIGN.md checks 3 to 12), so a
// caller that needed the presentation first parses once. A Presentation
// not made by Parse is Malformed.
func (d *Presentation) Verify(tl *TrustList, rl *RevocationList, pol Policy, rules Rules, now time.Time) Verdict {
	v := Verdict{Scheme: SchemePD1, Reason: Malformed}
	if d.cred == nil || d.pres == nil {
		return v
	}
	c := &d.Claims
	v.Name, v.Status, v.Issuer = c.Name, c.Status, c.Issuer
	v.CID = slices.Clone(c.CID[:])
	v.Sub = slices.Clone(c.Sub[:])
	v.IssuedAt = d.IssuedAt
	v.Reason = check(d, tl, rl, pol, rules, now)
	v.Admit = v.Reason == OK
	return v
}

// SchemeFor returns the scheme whose prefix text has, nil for a PD1 text
// or one nobody claims: the one place a text's format is told apart.
func SchemeFor(text string, schemes []Scheme) Scheme {
	if strings.HasPrefix(text, Prefix) {
		return nil
	}
	for _, s := range schemes {
		if p := s.Prefix(); p != "" && strings.HasPrefix(text, p) {
			return s
		}
	}
	return nil
}

// VerifyAny verifies a PD1 text, or hands a text with another prefix to
// the scheme that claims it; a text no scheme claims is UnsupportedFormat.
func VerifyAny(text string, schemes []Scheme, tl *TrustList, rl *RevocationList, pol Policy, rules Rules, now time.Time) Verdict {
	if s := SchemeFor(text, schemes); s != nil {
		return s.Verify(text, pol, now)
	}
	return Verify(text, tl, rl, pol, rules, now)
}

func check(d *decoded, tl *TrustList, rl *RevocationList, pol Policy, rules Rules, now time.Time) Reason {
	t := now.Unix()
	if tl.Stale(now) {
		return TrustListStale
	}
	key := tl.issuerKey(d.Kid, d.Claims.Issuer, t)
	if key == nil {
		return UnknownIssuer
	}
	if !d.cred.verify(key.Public) {
		return BadIssuerSignature
	}
	if !d.pres.verify(d.Claims.HolderKey) {
		return BadHolderSignature
	}
	if t < 0 || uint64(t) < d.nbf {
		return CredentialNotYetValid
	}
	if t >= 0 && uint64(t) > d.exp {
		return CredentialExpired
	}
	window, skew := rules.seconds()
	if subSat(d.IssuedAt, t) > skew {
		return QRFromFuture
	}
	if subSat(t, d.IssuedAt) > addSat(window, skew) {
		return QRExpired
	}
	if rl.Contains(d.Claims.CID[:]) {
		return Revoked
	}
	if !pol.Admits(d.Claims, now) {
		return PolicyDenied
	}
	return OK
}

// seconds returns the window and skew in whole seconds (times are whole
// seconds, so t <= 5.5 s is t <= 5 s), applying the defaults.
func (r Rules) seconds() (window, skew int64) {
	return durSeconds(r.Window, DefaultWindow), durSeconds(r.Skew, DefaultSkew)
}

func durSeconds(d, def time.Duration) int64 {
	switch {
	case d == 0:
		d = def
	case d < 0:
		d = 0
	}
	return int64(d / time.Second)
}

// issuerKey finds a key with this kid, valid at t, for this issuer.
func (tl *TrustList) issuerKey(kid [8]byte, issuer string, t int64) *TrustedKey {
	for i := range tl.Keys {
		k := &tl.Keys[i]
		if k.Kid == kid && k.Issuer == issuer && k.NotBefore <= t && t <= k.Expires {
			return k
		}
	}
	return nil
}

// Admits reports whether the venue policy lets in a holder with these
// claims at now. Nil Statuses admits 1-4; an age rule needs a birth year.
func (p Policy) Admits(c Claims, now time.Time) bool {
	if p.Statuses == nil {
		if c.Status < Vaccinated || c.Status > MedicalExemption {
			return false
		}
	} else if c.Status == 0 || !slices.Contains(p.Statuses, c.Status) {
		return false
	}
	if p.MinAge == 0 && p.MaxAge == 0 {
		return true
	}
	if c.BirthYear <= 0 {
		return false
	}
	// Only the birth year is known: the age is the one reached this year.
	age := now.UTC().Year() - c.BirthYear
	if p.MinAge != 0 && age < p.MinAge {
		return false
	}
	if p.MaxAge != 0 && age > p.MaxAge {
		return false
	}
	return true
}

// Contains reports whether cid is revoked by this list; nil revokes
// nothing.
func (rl *RevocationList) Contains(cid []byte) bool {
	if rl == nil || len(cid) != 16 {
		return false
	}
	var k [16]byte
	copy(k[:], cid)
	if rl.index != nil {
		_, ok := rl.index[k]
		return ok
	}
	for _, c := range rl.CIDs {
		if bytes.Equal(c[:], cid) {
			return true
		}
	}
	return false
}

// subSat returns a-b, saturating instead of wrapping.
func subSat(a, b int64) int64 {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		if b > 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return d
}

// addSat returns a+b, saturating instead of wrapping.
func addSat(a, b int64) int64 {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}
