package dcc

import (
	"crypto/sha256"
	"fmt"
)

// Key names an HC1 certificate by what its issuer signed, for the kiosk's
// duplicate check: SHA-256 over "HC1" and the COSE Sig_structure, that is
// the protected header and the payload exactly as signed. The same
// certificate re-encoded (another zlib stream or level, its Base45, another
// or an added unprotected header, a kid moved there, the tags 18 and 61
// present or absent, byte strings in chunks) has one Key.
//
// Why the signed bytes rather than the certificate identifier (ci) with
// the issuer and iat: only the issuer can change them, and two different
// certificates differ in them (each its own event, ci and iat), so two
// certificates of one person never share a Key short of a SHA-256
// collision. The ci is text the issuer chooses and nobody here checks: it
// can be missing, empty, or reused (test certificates, careless issuers),
// and a collision would turn an honest visitor away as "already checked
// in". What the signed bytes do not merge is an issuer signing one
// certificate twice with different bytes: two issuances, which the holder
// cannot make.
//
// Key decodes as far as the COSE_Sign1 structure and checks no signature:
// a text it refuses is malformed for Check too, and a forged text that
// shares a Key with an admitted certificate is denied either way.
func Key(text string) (key [32]byte, err error) {
	msg, err := unwrap(text)
	if err != nil {
		return key, err
	}
	m, err := parseSign1(msg)
	if err != nil {
		return key, &decodeError{stage: stageCBOR, err: err}
	}
	tbs, err := sigStructure(m.Protected, m.Payload)
	if err != nil {
		return key, &decodeError{stage: stageCBOR, err: fmt.Errorf("signed structure: %w", err)}
	}
	h := sha256.New()
	h.Write([]byte("HC1"))
	h.Write(tbs)
	h.Sum(key[:0])
	return key, nil
}

// Key is the package's Key: the scheme names a presentation the same way
// whatever it trusts.
func (s *Scheme) Key(text string) ([32]byte, error) { return Key(text) }
