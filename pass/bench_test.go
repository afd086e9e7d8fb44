package pass_test

import (
	"crypto/ed25519"
	"testing"

	"passdesk/pass"
	"passdesk/pass/passtest"
)

// BenchmarkVerifyOffline is one offline verification of a good pass: Base45,
// strict CBOR and COSE decoding, two Ed25519 signatures, the rules.
func BenchmarkVerifyOffline(b *testing.B) {
	tl, rl := world(b)
	qr := passtest.Good().QR()
	b.ReportAllocs()
	for b.Loop() {
		if v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, now); !v.Admit {
			b.Fatal(v.Reason)
		}
	}
}

// BenchmarkParse is the decoding alone, without the signatures.
func BenchmarkParse(b *testing.B) {
	qr := passtest.Good().QR()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pass.Parse(qr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyMalformed is the cost of refusing garbage.
func BenchmarkVerifyMalformed(b *testing.B) {
	tl, rl := world(b)
	qr := passtest.Good().WithClaim(50, passtest.Nested(200)).QR()
	b.ReportAllocs()
	for b.Loop() {
		if v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != pass.Malformed {
			b.Fatal(v.Reason)
		}
	}
}

// BenchmarkEd25519Verify is one bare signature check, the floor the two in
// BenchmarkVerifyOffline are measured against on a loaded machine.
func BenchmarkEd25519Verify(b *testing.B) {
	msg := []byte("PassDesk")
	sig := ed25519.Sign(passtest.Holder, msg)
	pub := passtest.Pub(passtest.Holder)
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("bad signature")
		}
	}
}
