package dcc_test

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
	"passdesk/pass/base45"
	"passdesk/pass/dcc"
)

var hc1Reasons = map[pass.Reason]bool{
	pass.OK: true, pass.UnsupportedFormat: true, pass.Malformed: true, pass.UnknownIssuer: true,
	pass.BadIssuerSignature: true, pass.CredentialNotYetValid: true, pass.CredentialExpired: true,
	dcc.WrongCertificateType: true, pass.PolicyDenied: true, pass.Revoked: true, pass.RulesFailed: true,
}

// hostileMessages are COSE-level inputs that must cost little: deep nesting,
// lengths far beyond the data, a huge inflated size.
func hostileMessages() [][]byte {
	deep := append(bytes.Repeat([]byte{0x81}, 1000), 0x00)
	return [][]byte{
		append([]byte{0xd2, 0x84}, deep...),
		{0xd2, 0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},             // bstr of 2^63 bytes
		{0xd2, 0x84, 0x40, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},       // map of 2^32 pairs
		{0xd2, 0x84, 0x40, 0xa0, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // array of 2^64-1
		{0xd2, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f, 0x9f},
		{0xd8, 0x3d, 0xd8, 0x3d, 0xd2, 0x84},
	}
}

// bomb inflates to 1 MiB, far past the limit, from about 1 KiB.
func bomb() []byte { return make([]byte, 1<<20) }

func checkVerdict(t *testing.T, text string, v pass.Verdict) {
	if !hc1Reasons[v.Reason] {
		t.Fatalf("reason %q is not an HC1 reason", v.Reason)
	}
	if v.Admit != (v.Reason == pass.OK) {
		t.Fatalf("Admit %v with reason %s", v.Admit, v.Reason)
	}
	if !strings.HasPrefix(text, dcc.Prefix) && v.Reason != pass.UnsupportedFormat {
		t.Fatalf("text without prefix: reason %s", v.Reason)
	}
}

// FuzzVerifyHC1 feeds whole QR texts; the seeds include zlib bombs, deep
// CBOR and huge lengths. Key is held to the verdict on each.
func FuzzVerifyHC1(f *testing.F) {
	es := newES256(f, certOpts{})
	scheme := dcc.NewScheme(trustList(f, es))
	f.Add(hc1Pass{signer: es}.text(f))
	f.Add(hc1Pass{signer: es, dgc: dgcPayload("t"), cwtTag: true}.text(f))
	f.Add("HC1:")
	f.Add("HC1:6BF")
	f.Add("PD1:6BFOXN")
	for _, m := range append(hostileMessages(), bomb()) {
		f.Add(qrText(f, m))
	}
	f.Fuzz(func(t *testing.T, text string) {
		v := scheme.Verify(text, pass.Policy{}, testNow)
		checkVerdict(t, text, v)
		checkKey(t, text, v)
	})
}

// FuzzVerifyHC1COSE feeds the decompressed message, wrapped as a QR text, so
// the fuzzer spends its time in CBOR and COSE rather than in Base45 and zlib.
func FuzzVerifyHC1COSE(f *testing.F) {
	es := newES256(f, certOpts{})
	ps := newPS256(f, certOpts{})
	scheme := dcc.NewScheme(trustList(f, es, ps))
	f.Add(hc1Pass{signer: es}.cose(f))
	f.Add(hc1Pass{signer: ps, dgc: dgcPayload("r")}.cose(f))
	f.Add(hc1Pass{signer: es, protected: map[int]any{}, unprotected: map[int]any{1: int64(-7), 4: es.kid}}.cose(f))
	for _, m := range hostileMessages() {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		// Bombs are FuzzVerifyHC1's; here the message is stored, not
		// compressed, which is quick and keeps the text within the limit
		// for any message under about 2.8 KB.
		text := dcc.Prefix + base45.Encode(storedZlib(msg))
		if len(text) > dcc.MaxTextLen {
			return
		}
		v := scheme.Verify(text, pass.Policy{}, testNow)
		checkVerdict(t, text, v)
		checkKey(t, text, v)
	})
}

// storedZlib wraps data in a zlib stream of stored (uncompressed) deflate
// blocks (RFC 1950, RFC 1951 section 3.2.4).
func storedZlib(data []byte) []byte {
	sum := adler32.Checksum(data)
	out := []byte{0x78, 0x01}
	for {
		n := min(len(data), 0xffff)
		final := byte(0)
		if n == len(data) {
			final = 1
		}
		out = append(out, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		out = append(out, data[:n]...)
		data = data[n:]
		if final == 1 {
			break
		}
	}
	return binary.BigEndian.AppendUint32(out, sum)
}

func BenchmarkVerifyHC1(b *testing.B) {
	es := newES256(b, certOpts{})
	scheme := dcc.NewScheme(trustList(b, es))
	text := hc1Pass{signer: es}.text(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := scheme.Verify(text, pass.Policy{}, testNow); !v.Admit {
			b.Fatalf("reason %s", v.Reason)
		}
	}
}

func BenchmarkVerifyHC1PS256(b *testing.B) {
	ps := newPS256(b, certOpts{})
	scheme := dcc.NewScheme(trustList(b, ps))
	text := hc1Pass{signer: ps}.text(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := scheme.Verify(text, pass.Policy{}, testNow); !v.Admit {
			b.Fatalf("reason %s", v.Reason)
		}
	}
}

// TestStoredZlib: the fuzz target's stored streams are what a verifier
// reads, so its seeds reach the COSE parser.
func TestStoredZlib(t *testing.T) {
	es := newES256(t, certOpts{})
	text := dcc.Prefix + base45.Encode(storedZlib(hc1Pass{signer: es}.cose(t)))
	if v := dcc.NewScheme(trustList(t, es)).Verify(text, pass.Policy{}, testNow); !v.Admit {
		t.Fatalf("reason %s, want admit", v.Reason)
	}
}

// BenchmarkDecodeHC1 stops at unknown_issuer, after the whole decoding chain
// and before any signature check: the parsing share of a verification.
func BenchmarkDecodeHC1(b *testing.B) {
	es := newES256(b, certOpts{})
	scheme := dcc.NewScheme(trustList(b, newES256(b, certOpts{})))
	text := hc1Pass{signer: es}.text(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := scheme.Verify(text, pass.Policy{}, testNow); v.Reason != pass.UnknownIssuer {
			b.Fatalf("reason %s", v.Reason)
		}
	}
}

// FuzzPayloadJSON converts arbitrary CBOR to the JSON the rules read:
// refused or converted, never a crash.
func FuzzPayloadJSON(f *testing.F) {
	f.Add(mustCBOR(f, dgcPayload("v")))
	f.Add(mustCBOR(f, map[string]any{"t": []any{map[string]any{"sc": cbor.Tag{Number: 0, Content: "2021-05-01T10:00:00Z"}}}}))
	f.Add(mustCBOR(f, map[any]any{1: "x"}))
	f.Add([]byte{0xa1, 0x61, 0x76, 0xc1, 0x1a, 0x60, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = dcc.PayloadJSON(b)
	})
}

// BenchmarkKeyHC1 names a certificate for the duplicate check: Base45,
// zlib and the COSE structure, the share of a scan spent before its
// verification, against BenchmarkDecodeHC1 and BenchmarkVerifyHC1.
func BenchmarkKeyHC1(b *testing.B) {
	es := newES256(b, certOpts{})
	text := hc1Pass{signer: es}.text(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcc.Key(text); err != nil {
			b.Fatal(err)
		}
	}
}
