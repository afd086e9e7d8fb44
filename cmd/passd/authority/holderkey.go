package authority

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"filippo.io/edwards25519"

	"passdesk/api"
)

// lMinusOne is the order of the Ed25519 base point minus one, as a
// canonical scalar: [l-1]P + P is the identity exactly when P's order
// divides l.
var lMinusOne = func() *edwards25519.Scalar {
	b := []byte{ // l - 1, little-endian
		0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}()

// CheckHolderKey says what is wrong with a holder public key: it must be
// the canonical encoding of a point of full (prime) order. A small-order
// point such as the identity (01 00..00) lets anyone forge a holder
// signature that verifies for every message; a non-canonical or mixed-order
// encoding gives one key several spellings.
func CheckHolderKey(pub []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return errors.New("is not a point of Ed25519")
	}
	if !bytes.Equal(p.Bytes(), pub) {
		return errors.New("is not canonically encoded")
	}
	if p.Equal(edwards25519.NewIdentityPoint()) == 1 {
		return errors.New("is the identity point")
	}
	q := new(edwards25519.Point).ScalarMult(lMinusOne, p)
	q.Add(q, p)
	if q.Equal(edwards25519.NewIdentityPoint()) != 1 {
		return errors.New("is not of prime order (it has a small-order component)")
	}
	return nil
}

// CheckEnrollProof says whether req's signature is its holder key's over
// api.EnrollSignedBytes(req). Call it after CheckHolderKey.
func CheckEnrollProof(req api.EnrollRequest) error {
	if len(req.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature is %d bytes, want %d (the holder key's signature over the request)",
			ErrInvalid, len(req.Signature), ed25519.SignatureSize)
	}
	if !ed25519.Verify(req.HolderPublicKey, api.EnrollSignedBytes(req), req.Signature) {
		return fmt.Errorf("%w: signature is not the holder key's over this request", ErrInvalid)
	}
	return nil
}
