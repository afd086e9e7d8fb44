package dcc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
)

// Scheme verifies HC1 passes against a trust store, business rules and
// revocations; it satisfies pass.Scheme.
type Scheme struct {
	trust   *TrustStore
	rules   *businessRules // nil: rules off
	revoked *Revocations
	broken  error // the rules could not be set up: every pass fails them
}

var _ pass.Scheme = (*Scheme)(nil)

// NewScheme returns the HC1 scheme verifying against ts with the built-in
// business rules of DefaultCountry and no revocations. A nil ts trusts
// nobody: every well-formed pass is unknown_issuer.
func NewScheme(ts *TrustStore) pass.Scheme {
	s, err := New(ts, Options{})
	if err != nil {
		// The built-in rules are tested; should they ever fail to load,
		// HC1 passes are refused rather than admitted on signature alone.
		return &Scheme{trust: ts, broken: err}
	}
	return s
}

// New returns the HC1 scheme verifying against ts with the given options.
// It fails when the rules cannot be loaded or hold none of the country.
func New(ts *TrustStore, o Options) (*Scheme, error) {
	br, err := newBusinessRules(o)
	if err != nil {
		return nil, err
	}
	return &Scheme{trust: ts, rules: br, revoked: o.Revocations}, nil
}

// Prefix is "HC1:".
func (s *Scheme) Prefix() string { return Prefix }

// Verify is Check's verdict.
func (s *Scheme) Verify(text string, pol pass.Policy, now time.Time) pass.Verdict {
	return s.Check(text, pol, now).Verdict
}

// Check is a pure function of (text, trust store, rules, revocations,
// policy, now); see the package documentation for the order of the checks.
// Beside the verdict it says which business rules failed.
func (s *Scheme) Check(text string, pol pass.Policy, now time.Time) Result {
	r := Result{Verdict: pass.Verdict{Scheme: "HC1"}}
	v := &r.Verdict
	h, err := decode(text)
	if err != nil {
		var de *decodeError
		if errors.As(err, &de) && de.stage == stagePrefix {
			v.Reason = pass.UnsupportedFormat
		} else {
			v.Reason = pass.Malformed
		}
		return r
	}
	candidates := s.trust.lookup(h.kid)
	if len(candidates) == 0 {
		v.Reason = pass.UnknownIssuer
		return r
	}
	sg := verifySignature(h, candidates)
	if sg == nil {
		v.Reason = pass.BadIssuerSignature
		return r
	}
	// The signature vouches for the content: from here staff may see it.
	v.Name, v.NameLatin, v.DateOfBirth, v.CertType = h.nameNat, h.nameLatin, h.dob, h.certType
	v.Issuer = h.issuer
	if v.Issuer == "" {
		v.Issuer = sg.country
	}
	v.Status = statusOf(h)
	v.Reason, r.Failed = s.checkAfterSignature(h, sg, v.Issuer, pol, now)
	v.Admit = v.Reason == pass.OK
	if f := r.FailedRule(); f != nil {
		v.Rule = f.verdictRule()
	}
	return r
}

// checkAfterSignature runs the checks after the signature: validity, key
// usage, revocation, business rules, venue policy.
func (s *Scheme) checkAfterSignature(h *hc1, sg *signer, issuer string, pol pass.Policy, now time.Time) (pass.Reason, []RuleFailure) {
	if r := checkTime(h, sg, now); r != pass.OK {
		return r, nil
	}
	if !sg.allows(h.certType) {
		return WrongCertificateType, nil
	}
	// The rules and the certificate identifier read the payload as JSON.
	var payload map[string]any
	var payloadErr error
	if s.rules != nil || s.revoked.Len() > 0 {
		payload, payloadErr = payloadJSON(h.rawDGC)
	}
	if s.revoked.Len() > 0 {
		ci, _ := certEntry(payload)["ci"].(string)
		if s.revoked.Revoked(h.kid, ci, h.issuer, h.alg, h.signature) {
			return pass.Revoked, nil
		}
	}
	if s.broken != nil {
		return pass.RulesFailed, []RuleFailure{{ID: "setup", Descriptions: map[string]string{"en": "The kiosk's business rules could not be loaded."}, Err: s.broken.Error()}}
	}
	if s.rules != nil {
		if failed := s.rules.check(h, payload, payloadErr, issuer, now); len(failed) > 0 {
			return pass.RulesFailed, failed
		}
	}
	if !admits(pol, statusOf(h), h.dob, now) {
		return pass.PolicyDenied, nil
	}
	return pass.OK, nil
}

// checkTime checks the signer certificate's validity and the CWT's at now.
func checkTime(h *hc1, sg *signer, now time.Time) pass.Reason {
	t := now.Unix()
	switch {
	case now.Before(sg.notBefore), t < h.issuedAt:
		return pass.CredentialNotYetValid
	case now.After(sg.notAfter), t > h.expires:
		return pass.CredentialExpired
	}
	return pass.OK
}

// statusOf maps the certificate type to a PassDesk status; a positive test
// proves no status a venue admits.
func statusOf(h *hc1) pass.Status {
	switch h.certType {
	case TypeVaccination:
		return pass.Vaccinated
	case TypeRecovery:
		return pass.Recovered
	case TypeTest:
		if !h.positive {
			return pass.NegativeTest
		}
	}
	return 0
}

// admits is pass.Policy's rule for HC1: the status among the admitted ones
// (nil means 1-4), and the age, from the birth year of the date of birth,
// within MinAge and MaxAge when they are set.
func admits(pol pass.Policy, st pass.Status, dob string, now time.Time) bool {
	if st == 0 {
		return false
	}
	ok := pol.Statuses == nil && st >= pass.Vaccinated && st <= pass.MedicalExemption
	for _, a := range pol.Statuses {
		ok = ok || a == st
	}
	if !ok {
		return false
	}
	if pol.MinAge == 0 && pol.MaxAge == 0 {
		return true
	}
	if len(dob) < 4 {
		return false
	}
	year, err := strconv.Atoi(dob[:4])
	if err != nil || year <= 0 {
		return false
	}
	age := now.Year() - year
	return (pol.MinAge == 0 || age >= pol.MinAge) && (pol.MaxAge == 0 || age <= pol.MaxAge)
}

// verifySignature returns the candidate whose key verifies the signature,
// or nil.
func verifySignature(h *hc1, candidates []*signer) *signer {
	digest, err := sigDigest(h)
	if err != nil {
		return nil
	}
	for _, sg := range candidates {
		if verifyWith(h.alg, sg.public, digest, h.signature) {
			return sg
		}
	}
	return nil
}

// sigDigest hashes the COSE Sig_structure
// ["Signature1", protected, h”, payload] (RFC 9052 section 4.4).
func sigDigest(h *hc1) ([]byte, error) {
	tbs, err := sigStructure(h.protected, h.payload)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tbs)
	return sum[:], nil
}

// sigStructure is the COSE Sig_structure of a COSE_Sign1 without external
// data: the bytes its signature signs.
func sigStructure(protected, payload []byte) ([]byte, error) {
	return cbor.Marshal([]any{"Signature1", protected, []byte{}, payload})
}

// verifyWith checks an ES256 or PS256 signature; any other algorithm, or a
// key that does not fit it, fails.
func verifyWith(alg int64, pub any, digest, sig []byte) bool {
	switch alg {
	case algES256:
		// ES256 is ECDSA with SHA-256; the EU specification pairs it with
		// P-256, but some issuers' signers (in the conformance cases too)
		// use P-384 keys, which verify the same way with r||s of twice the
		// curve size.
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	case algPS256:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return false
		}
		// COSE fixes the salt at the hash length; issuers that used
		// another length are still read, as the reference verifiers do.
		return rsa.VerifyPSS(k, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
	}
	return false
}
