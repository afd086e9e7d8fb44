// Package pass owns the PD1 pass format: its Base45/CBOR/COSE encoding, the
// root-signed trust and revocation lists, and offline verification, a pure
// function of (QR text, trust list, revocation list, policy, now).
package pass

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"time"
)

// Reason is a verification outcome code. The codes are a stable contract:
// shown to staff (translated), written to the ledger, printed by
// `passdesk verify`.
type Reason string

// The reason codes, in the order DESIGN.md checks them.
const (
	OK                    Reason = "ok"
	UnsupportedFormat     Reason = "unsupported_format"
	Malformed             Reason = "malformed"
	TrustListStale        Reason = "trust_list_stale"
	UnknownIssuer         Reason = "unknown_issuer"
	BadIssuerSignature    Reason = "bad_issuer_signature"
	BadHolderSignature    Reason = "bad_holder_signature"
	CredentialNotYetValid Reason = "credential_not_yet_valid"
	CredentialExpired     Reason = "credential_expired"
	QRFromFuture          Reason = "qr_from_future"
	QRExpired             Reason = "qr_expired"
	Revoked               Reason = "revoked"
	PolicyDenied          Reason = "policy_denied"
	// Duplicate is the kiosk's own outcome: the same fresh presentation
	// scanned again. Verify never returns it.
	Duplicate Reason = "duplicate"
	// WrongCertificateType and RulesFailed are HC1's: a document signer
	// not allowed for the certificate's type, an EU business rule failed.
	WrongCertificateType Reason = "wrong_certificate_type"
	RulesFailed          Reason = "rules_failed"
	// Replayed comes from the service: the presentation was just admitted
	// at another kiosk (one-time use).
	Replayed Reason = "replayed"
	// ServiceDisagrees is the kiosk's: the service answered admit for a
	// pass the kiosk itself denied (a spoofed or misconfigured service).
	ServiceDisagrees Reason = "service_disagrees"
)

// Reasons are all the reason codes, the one list of them: a code not in
// it is nobody's, and an answer carrying one is unreadable.
var Reasons = []Reason{
	OK, UnsupportedFormat, Malformed, TrustListStale, UnknownIssuer,
	BadIssuerSignature, BadHolderSignature, CredentialNotYetValid,
	CredentialExpired, QRFromFuture, QRExpired, Revoked, PolicyDenied,
	Duplicate, WrongCertificateType, RulesFailed, Replayed, ServiceDisagrees,
}

// Known reports whether r is one of Reasons.
func (r Reason) Known() bool { return slices.Contains(Reasons, r) }

// Status is the holder's health status claim (credential claim 5).
type Status uint8

// The statuses DESIGN.md defines.
const (
	Vaccinated       Status = 1
	Recovered        Status = 2
	NegativeTest     Status = 3
	MedicalExemption Status = 4
)

// Prefix starts every PD1 QR text.
const Prefix = "PD1:"

// MaxTextLen is the longest QR text accepted; longer ones are refused before
// any decoding.
const MaxTextLen = 1024

// Default freshness rules for presentations.
const (
	DefaultWindow = 15 * time.Second
	DefaultSkew   = 5 * time.Second
)

// Claims are a credential's payload (DESIGN.md "Credential").
type Claims struct {
	Issuer    string            // 1 iss
	CID       [16]byte          // 2 cid
	Sub       [16]byte          // 3 sub
	Name      string            // 4 nam, already masked by the issuer
	Status    Status            // 5 sts
	NotBefore int64             // 6 nbf, Unix seconds
	Expires   int64             // 7 exp, Unix seconds
	HolderKey ed25519.PublicKey // 8 hpk, 32 bytes
	BirthYear int               // 9 byr, 0 when absent
}

// Presentation is a decoded (not yet verified) PD1 QR text.
type Presentation struct {
	Kid        [8]byte // issuer key ID from the credential's protected header
	Claims     Claims
	IssuedAt   int64  // presentation iat, Unix seconds
	Credential []byte // the credential's COSE_Sign1 bytes
	Raw        []byte // the presentation's COSE_Sign1 bytes (after Base45)

	// Set by Parse: the signed documents and the times as they were
	// encoded, before any clamping to int64.
	cred, pres *sign1
	iat        uint64
	nbf, exp   uint64
}

// Key names the presentation by what is signed, not by its bytes: the
// credential ID and the holder's iat. Re-encodings of one presentation
// (tagged or not, another unprotected header) have one Key; it is what
// "the same presentation" means for duplicates and one-time use.
func (p *Presentation) Key() [32]byte {
	var b [len("PD1") + 16 + 8]byte
	copy(b[:], "PD1")
	copy(b[3:], p.Claims.CID[:])
	binary.BigEndian.PutUint64(b[19:], uint64(p.IssuedAt))
	return sha256.Sum256(b[:])
}

// TrustedKey is one issuer key in a trust list.
type TrustedKey struct {
	Kid       [8]byte
	Issuer    string
	Public    ed25519.PublicKey
	NotBefore int64
	Expires   int64
}

// TrustList is a verified, root-signed list of issuer keys.
type TrustList struct {
	Seq      uint64
	IssuedAt int64
	Expires  int64
	Keys     []TrustedKey
}

// RevocationList is a verified, root-signed list of revoked credential IDs.
type RevocationList struct {
	Seq      uint64
	IssuedAt int64
	Expires  int64
	CIDs     [][16]byte

	// index makes Contains a map lookup; OpenRevocationList builds it. A
	// list built by hand is searched linearly.
	index map[[16]byte]struct{}
}

// Policy is what the venue admits.
type Policy struct {
	// Statuses admitted; nil means the default (1-4).
	Statuses []Status
	// MinAge and MaxAge in years, checked against the birth year when
	// non-zero; a credential without a birth year fails an age rule.
	MinAge, MaxAge int
}

// Rules are the freshness parameters of a verification.
type Rules struct {
	Window time.Duration // default DefaultWindow
	Skew   time.Duration // default DefaultSkew
}

// Verdict is the outcome of verifying one QR text.
type Verdict struct {
	Admit    bool
	Reason   Reason
	Name     string
	Status   Status
	Issuer   string
	CID      []byte // 16 bytes when the credential was decoded
	Sub      []byte // 16 bytes when the credential was decoded; never stored raw
	IssuedAt int64  // presentation iat, 0 when not decoded

	// Scheme is the pass format: "PD1" or "HC1".
	Scheme string
	// HC1 only: the standardised (transliterated) name, the date of birth as
	// printed in the certificate, and the certificate type ("vaccination",
	// "test", "recovery"). Name then holds the native name.
	NameLatin   string
	DateOfBirth string
	CertType    string

	// Rule is the business rule the pass failed when Reason is
	// rules_failed (HC1), nil otherwise.
	Rule *FailedRule
}

// FailedRule names the business rule a pass failed: what the ledger
// records (Ref) and what staff are shown (StaffText). The scheme that
// evaluated the rule fills it in.
type FailedRule struct {
	ID      string
	Version string // "" when the ID names no rule file (e.g. "none")
	// Staff is the text for staff by language code ("ko", "en"); "en"
	// is always present.
	Staff map[string]string
}

// Ref is the rule as the ledger and `passdesk verify` name it:
// "ID@Version", the ID alone when there is no version, "" for nil.
func (r *FailedRule) Ref() string {
	switch {
	case r == nil:
		return ""
	case r.Version == "":
		return r.ID
	}
	return r.ID + "@" + r.Version
}

// StaffText is the text for staff in lang, else in English; "" for nil.
func (r *FailedRule) StaffText(lang string) string {
	if r == nil {
		return ""
	}
	if t := r.Staff[lang]; t != "" {
		return t
	}
	return r.Staff["en"]
}

// Scheme verifies another pass format, chosen by its QR prefix (HC1: for EU
// Digital COVID Certificates). It returns the same Verdict and reason codes.
type Scheme interface {
	Prefix() string
	Verify(text string, pol Policy, now time.Time) Verdict
}
