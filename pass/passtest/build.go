package passtest

import (
	"crypto/ed25519"
	"crypto/sha256"

	"passdesk/pass/base45"
)

// Key makes a fixed Ed25519 key from a name, so every run writes the same
// vectors.
func Key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("passdesk test key: " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// Pub returns a private key's public half.
func Pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// KID computes a key's kid by DESIGN.md's rule, independently of pass.KeyID.
func KID(pub ed25519.PublicKey) []byte {
	sum := sha256.Sum256(pub)
	return sum[:8]
}

// Sign1 describes a COSE_Sign1 to write. Zero fields take the values a
// well-formed document has.
type Sign1 struct {
	Tag         uint64  // 0: untagged
	Protected   Entries // the protected header map
	RawProt     []byte  // when non-nil, the protected bstr's exact content
	Unprotected []byte  // encoded item; nil: {}
	Signer      ed25519.PrivateKey
	SigEdit     func([]byte) []byte // changes the signature after signing
	Items       func(prot, unprot, payload, sig []byte) [][]byte
	Trailing    []byte // bytes after the COSE_Sign1 item
}

// Encode signs payload (the payload bstr's content) and writes the document.
func (s Sign1) Encode(payload []byte) []byte {
	prot := s.RawProt
	if prot == nil {
		prot = s.Protected.Encode()
	}
	unprot := s.Unprotected
	if unprot == nil {
		unprot = Map()
	}
	sig := ed25519.Sign(s.Signer, SigStructure(prot, payload))
	if s.SigEdit != nil {
		sig = s.SigEdit(sig)
	}
	items := [][]byte{Bytes(prot), unprot, Bytes(payload), Bytes(sig)}
	if s.Items != nil {
		items = s.Items(Bytes(prot), unprot, Bytes(payload), Bytes(sig))
	}
	doc := Array(items...)
	if s.Tag != 0 {
		doc = Tag(s.Tag, doc)
	}
	return append(doc, s.Trailing...)
}

// SigStructure is the COSE Sig_structure ["Signature1", protected, h”, payload].
func SigStructure(prot, payload []byte) []byte {
	return Array(Text("Signature1"), Bytes(prot), Bytes(nil), Bytes(payload))
}

// FlipBit returns a signature edit that flips one bit.
func FlipBit(sig []byte) []byte {
	out := append([]byte(nil), sig...)
	out[10] ^= 0x01
	return out
}

// Pass describes a PD1 presentation around a credential.
type Pass struct {
	Cred   Sign1
	Claims Entries
	// ClaimsTrailing is appended inside the credential payload bstr.
	ClaimsTrailing []byte

	Pres Sign1
	// PresPayload is the presentation payload map; CredentialValue marks
	// the entry whose value is the credential bstr.
	PresPayload Entries
	// PresTrailing is appended inside the presentation payload bstr.
	PresTrailing []byte
}

// CredentialValue stands for the credential bstr in Pass.PresPayload.
var CredentialValue = []byte("\x00credential")

// Credential writes the credential's COSE_Sign1 bytes.
func (p Pass) Credential() []byte {
	return p.Cred.Encode(append(p.Claims.Encode(), p.ClaimsTrailing...))
}

// Bytes writes the presentation's COSE_Sign1 bytes.
func (p Pass) Bytes() []byte {
	cred := p.Credential()
	es := make(Entries, len(p.PresPayload))
	for i, e := range p.PresPayload {
		if string(e.V) == string(CredentialValue) {
			e.V = Bytes(cred)
		}
		es[i] = e
	}
	return p.Pres.Encode(append(es.Encode(), p.PresTrailing...))
}

// QR writes the pass's QR text.
func (p Pass) QR() string { return "PD1:" + base45.Encode(p.Bytes()) }

func (Pass) qrOf(b []byte) string { return "PD1:" + base45.Encode(b) }
