package pass

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// KeyID is the kid of an Ed25519 public key: the first 8 bytes of SHA-256
// over its raw 32 bytes.
func KeyID(pub ed25519.PublicKey) [8]byte {
	sum := sha256.Sum256(pub)
	var kid [8]byte
	copy(kid[:], sum[:8])
	return kid
}

// ParseRootKey reads a pinned root public key: base64url without padding of
// the raw 32-byte Ed25519 key.
func ParseRootKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("root key is not base64url without padding: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("root key is %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// EncodeRootKey writes a public key the way ParseRootKey reads it.
func EncodeRootKey(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}

func checkPrivateKey(key ed25519.PrivateKey, what string) error {
	if len(key) != ed25519.PrivateKeySize {
		return fmt.Errorf("%s private key is %d bytes, want %d", what, len(key), ed25519.PrivateKeySize)
	}
	return nil
}
