package authority_test

import (
	"crypto/ed25519"
	"testing"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
)

// FuzzEnrollKey feeds outside holder keys and signatures to the
// enrollment checks: they never panic, and a key they accept is one
// ed25519 can use.
func FuzzEnrollKey(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	req := api.EnrollRequest{Name: "A", Status: 1, HolderPublicKey: pub}
	f.Add([]byte(pub), ed25519.Sign(priv, api.EnrollSignedBytes(req)))
	f.Add(make([]byte, 32), make([]byte, 64))
	f.Add([]byte{1}, []byte{})
	f.Fuzz(func(t *testing.T, key, sig []byte) {
		if authority.CheckHolderKey(key) != nil {
			return
		}
		r := api.EnrollRequest{Name: "A", Status: 1, HolderPublicKey: key, Signature: sig}
		_ = authority.CheckEnrollProof(r)
		if len(key) != ed25519.PublicKeySize {
			t.Fatalf("accepted a %d-byte key", len(key))
		}
	})
}
