package pass

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"passdesk/pass/base45"
)

// credentialPayload is the credential's claims map as written.
type credentialPayload struct {
	Issuer    string `cbor:"1,keyasint"`
	CID       []byte `cbor:"2,keyasint"`
	Sub       []byte `cbor:"3,keyasint"`
	Name      string `cbor:"4,keyasint"`
	Status    uint64 `cbor:"5,keyasint"`
	NotBefore uint64 `cbor:"6,keyasint"`
	Expires   uint64 `cbor:"7,keyasint"`
	HolderKey []byte `cbor:"8,keyasint"`
	BirthYear uint64 `cbor:"9,keyasint,omitempty"`
}

// presentationPayload is the presentation's payload map as written.
type presentationPayload struct {
	Credential []byte `cbor:"1,keyasint"`
	IssuedAt   uint64 `cbor:"2,keyasint"`
}

// IssueCredential signs c with the issuer key and returns the credential's
// tagged COSE_Sign1 bytes, protected header {1: -8, 4: kid of the issuer}.
func IssueCredential(issuer ed25519.PrivateKey, c Claims) ([]byte, error) {
	if err := checkPrivateKey(issuer, "issuer"); err != nil {
		return nil, err
	}
	if len(c.HolderKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("holder key is %d bytes, want %d", len(c.HolderKey), ed25519.PublicKeySize)
	}
	if c.NotBefore < 0 || c.Expires < 0 || c.BirthYear < 0 {
		return nil, errors.New("credential times and birth year must not be negative")
	}
	payload, err := encMode.Marshal(credentialPayload{
		Issuer:    c.Issuer,
		CID:       c.CID[:],
		Sub:       c.Sub[:],
		Name:      c.Name,
		Status:    uint64(c.Status),
		NotBefore: uint64(c.NotBefore),
		Expires:   uint64(c.Expires),
		HolderKey: c.HolderKey,
		BirthYear: uint64(c.BirthYear),
	})
	if err != nil {
		return nil, err
	}
	kid := KeyID(issuer.Public().(ed25519.PublicKey))
	return signSign1(issuer, kid[:], payload)
}

// Present wraps a credential in a presentation made at iat, signed by the
// holder key, and returns its QR text: "PD1:" and the Base45 of its bytes.
func Present(credential []byte, holder ed25519.PrivateKey, iat int64) (string, error) {
	if err := checkPrivateKey(holder, "holder"); err != nil {
		return "", err
	}
	if iat < 0 {
		return "", errors.New("presentation iat must not be negative")
	}
	payload, err := encMode.Marshal(presentationPayload{Credential: credential, IssuedAt: uint64(iat)})
	if err != nil {
		return "", err
	}
	raw, err := signSign1(holder, nil, payload)
	if err != nil {
		return "", err
	}
	return Prefix + base45.Encode(raw), nil
}
