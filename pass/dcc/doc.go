// Package dcc verifies HC1 passes, the EU Digital COVID Certificates that the
// WHO Global Digital Health Certification Network adopted, offline, beside
// PD1. It owns the HC1 decoding chain (the "HC1:" prefix, Base45, zlib,
// COSE_Sign1 over a CBOR Web Token carrying the hcert claim), the trust store
// of document signer certificates loaded from a JSON file, the EU business
// rules (CertLogic rules in the EU Gateway's format, with the eHN value
// sets; built-in ones in assets/dccrules), the DCC revocation list, and the
// checks a verifier is responsible for, in this order; the first failure
// decides:
//
//	order  check                                                 reason
//	1      text starts with "HC1:"                               unsupported_format
//	2      length, Base45, zlib (<= 64 KiB inflated), CBOR,      malformed
//	       COSE_Sign1 (untagged, tag 18, CWT tag 61), CWT
//	       claims iss/iat/exp, hcert with nam and exactly one
//	       of v, t, r
//	3      kid (protected header, else unprotected) names a      unknown_issuer
//	       certificate in the trust store
//	4      ES256 (ECDSA with SHA-256: P-256, or P-384 as some    bad_issuer_signature
//	       issuers sign) or PS256 (RSA-PSS with SHA-256)
//	       signature under that certificate; another alg is
//	       refused here
//	5      certificate NotBefore <= now and CWT iat <= now       credential_not_yet_valid
//	6      now <= certificate NotAfter and now <= CWT exp        credential_expired
//	7      the certificate's extended key usage, when it         wrong_certificate_type
//	       names any DCC type OID, allows the certificate type
//	8      no revocation entry under the signer's kid names      revoked
//	       the certificate (SHA-256 of the UCI, of the CWT
//	       issuer and UCI, or of the signature, cut to 16 bytes)
//	9      every business rule of the country of arrival valid   rules_failed
//	       now for this certificate type (and the issuing
//	       country's invalidation rules) evaluates to true; an
//	       error in a rule, or no rule valid now, is a failure
//	10     venue policy admits the status (vaccination 1,        policy_denied
//	       recovery 2, test 3 when "not detected"; another
//	       test result has no admissible status) and age
//
// Check returns, beside the verdict, the rules that failed (identifier,
// version, descriptions) for the ledger and the screen. The reason codes
// are pass's, plus WrongCertificateType. The verdict carries
// the name, the standardised name, the date of birth, the certificate type
// and the issuer only once the signature has verified: staff never see data
// nobody vouched for.
package dcc

import "passdesk/pass"

// WrongCertificateType is the reason when the document signer certificate's
// extended key usage restricts it to other certificate types (for instance a
// test-only signer on a vaccination certificate).
const WrongCertificateType pass.Reason = "wrong_certificate_type"

// Prefix starts every HC1 QR text.
const Prefix = "HC1:"

// Limits on what is decoded, so bad input costs little.
const (
	// MaxTextLen is the longest QR text accepted: the alphanumeric capacity
	// of a version 40 QR code.
	MaxTextLen = 4296
	// MaxInflated is the largest decompressed COSE message accepted; a zlib
	// stream that inflates to more is malformed, never a memory blow-up.
	MaxInflated = 64 << 10
)
