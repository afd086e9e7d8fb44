package dcc_test

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass"
	"passdesk/pass/base45"
	"passdesk/pass/dcc"
)

// sign1Fields splits a COSE_Sign1 tagged 18, as hc1Pass.cose writes it.
func sign1Fields(t *testing.T, msg []byte) []any {
	t.Helper()
	var tag cbor.Tag
	if err := cbor.Unmarshal(msg, &tag); err != nil || tag.Number != 18 {
		t.Fatalf("not a COSE_Sign1 tagged 18: %v", err)
	}
	f, ok := tag.Content.([]any)
	if !ok || len(f) != 4 {
		t.Fatalf("COSE_Sign1 of %T", tag.Content)
	}
	return f
}

// chunked writes a COSE_Sign1 tagged 18 with its protected header and
// payload as indefinite-length byte strings of two chunks each.
func chunked(t *testing.T, f []any) []byte {
	t.Helper()
	out := []byte{0xd2, 0x84}
	for i, v := range f {
		if b, ok := v.([]byte); ok && (i == 0 || i == 2) {
			out = append(out, 0x5f)
			out = append(out, mustCBOR(t, b[:len(b)/2])...)
			out = append(out, mustCBOR(t, b[len(b)/2:])...)
			out = append(out, 0xff)
			continue
		}
		out = append(out, mustCBOR(t, v)...)
	}
	return out
}

// resign signs a COSE_Sign1's protected header and payload again, as they
// are; forge flips a bit of the new signature.
func resign(t *testing.T, s *docSigner, msg []byte, forge bool) []byte {
	t.Helper()
	f := sign1Fields(t, msg)
	digest := sha256.Sum256(mustCBOR(t, []any{"Signature1", f[0], []byte{}, f[2]}))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key.(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	if forge {
		sig[63] ^= 1
	}
	f[3] = sig
	return mustCBOR(t, cbor.Tag{Number: 18, Content: f})
}

func compressAt(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustKey(t *testing.T, text string) [32]byte {
	t.Helper()
	k, err := dcc.Key(text)
	if err != nil {
		t.Fatalf("Key: %v", err)
	}
	return k
}

// TestKeyIgnoresEncoding: every way of writing one signed certificate
// again, which its signature does not cover, has its Key, and still
// verifies: each is a way to show one certificate twice.
func TestKeyIgnoresEncoding(t *testing.T) {
	es := newES256(t, certOpts{})
	scheme := dcc.NewScheme(trustList(t, es))
	msg := hc1Pass{signer: es}.cose(t)
	text := qrText(t, msg)
	want := mustKey(t, text)
	with := func(change func(f []any) any) []byte {
		f := sign1Fields(t, msg)
		return mustCBOR(t, change(f))
	}
	for name, other := range map[string]string{
		"zlib best speed":   dcc.Prefix + base45.Encode(compressAt(t, msg, zlib.BestSpeed)),
		"zlib Huffman only": dcc.Prefix + base45.Encode(compressAt(t, msg, zlib.HuffmanOnly)),
		"zlib stored":       dcc.Prefix + base45.Encode(storedZlib(msg)),
		"an extra unprotected header": qrText(t, with(func(f []any) any {
			f[1] = map[any]any{uint64(99): uint64(1)}
			return cbor.Tag{Number: 18, Content: f}
		})),
		"a kid added unprotected": qrText(t, with(func(f []any) any {
			f[1] = map[any]any{uint64(4): []byte("elsewhere")}
			return cbor.Tag{Number: 18, Content: f}
		})),
		"untagged":               qrText(t, with(func(f []any) any { return f })),
		"under the CWT tag":      qrText(t, append([]byte{0xd8, 61}, msg...)),
		"byte strings in chunks": qrText(t, chunked(t, sign1Fields(t, msg))),
	} {
		t.Run(name, func(t *testing.T) {
			if other == text {
				t.Fatal("the re-encoding is the same text")
			}
			if v := scheme.Verify(other, pass.Policy{}, testNow); !v.Admit {
				t.Fatalf("re-encoding not admitted: %s", v.Reason)
			}
			if got := mustKey(t, other); got != want {
				t.Errorf("Key %x, want %x", got, want)
			}
		})
	}
	t.Run("signed again", func(t *testing.T) {
		// ECDSA signatures differ each time: the same bytes signed twice
		// are one certificate.
		again := resign(t, es, msg, false)
		if v := scheme.Verify(qrText(t, again), pass.Policy{}, testNow); !v.Admit || bytes.Equal(again, msg) {
			t.Fatalf("signed again: %s", v.Reason)
		}
		if got := mustKey(t, qrText(t, again)); got != want {
			t.Errorf("Key %x, want %x", got, want)
		}
	})
}

// TestKeyTellsCertificatesApart: certificates of one person that differ
// in anything signed never share a Key.
func TestKeyTellsCertificatesApart(t *testing.T) {
	es := newES256(t, certOpts{})
	other := newES256(t, certOpts{})
	vacc := func(change func(e map[string]any)) map[string]any {
		d := dgcPayload("v")
		change(d["v"].([]any)[0].(map[string]any))
		return d
	}
	cases := map[string]hc1Pass{
		"the first":                 {signer: es},
		"another identifier":        {signer: es, dgc: vacc(func(e map[string]any) { e["ci"] = "URN:UVCI:01:AT:OTHER#1" })},
		"another dose, same ci":     {signer: es, dgc: vacc(func(e map[string]any) { e["dn"] = 1 })},
		"a test of the same person": {signer: es, dgc: dgcPayload("t")},
		"a recovery":                {signer: es, dgc: dgcPayload("r")},
		"issued at another second":  {signer: es, claims: map[int]any{1: "AT", 4: testExp, 6: testIAT + 1, -260: map[int]any{1: dgcPayload("v")}}},
		"by another signer":         {signer: other},
		"without an issuer":         {signer: es, claims: map[int]any{4: testExp, 6: testIAT, -260: map[int]any{1: dgcPayload("v")}}},
		"the kid only unprotected":  {signer: es, protected: map[int]any{1: int64(-7)}, unprotected: map[int]any{4: es.kid}},
		"another name, same ci": {signer: es, dgc: func() map[string]any {
			d := dgcPayload("v")
			d["nam"] = map[string]any{"fn": "Muster", "fnt": "MUSTER"}
			return d
		}()},
		"another date of birth, too": {signer: es, dgc: func() map[string]any { d := dgcPayload("v"); d["dob"] = "1998-02-27"; return d }()},
	}
	seen := map[[32]byte]string{}
	for name, p := range cases {
		k := mustKey(t, p.text(t))
		if prev, ok := seen[k]; ok {
			t.Errorf("%s and %s share a Key", name, prev)
		}
		seen[k] = name
	}
}

// TestKeyRefusesWhatCheckRefuses: a text Key cannot name is malformed
// (or no HC1 at all) for Check too; one Key names may still be refused.
func TestKeyRefusesWhatCheckRefuses(t *testing.T) {
	es := newES256(t, certOpts{})
	scheme := dcc.NewScheme(trustList(t, es))
	good := hc1Pass{signer: es}.cose(t)
	f := sign1Fields(t, good)
	nullProtected := mustCBOR(t, cbor.Tag{Number: 18, Content: []any{nil, f[1], f[2], f[3]}})
	for name, text := range map[string]string{
		"no prefix":             "PD1:" + qrText(t, good)[len(dcc.Prefix):],
		"empty":                 dcc.Prefix,
		"not Base45":            dcc.Prefix + "$$$a",
		"not zlib":              dcc.Prefix + base45.Encode(good),
		"not a COSE_Sign1":      qrText(t, mustCBOR(t, map[int]any{1: 2})),
		"a null protected":      qrText(t, nullProtected),
		"no payload":            qrText(t, mustCBOR(t, cbor.Tag{Number: 18, Content: []any{f[0], f[1], nil, f[3]}})),
		"trailing bytes":        qrText(t, append(append([]byte{}, good...), 0x00)),
		"a zlib bomb":           qrText(t, bomb()),
		"hostile CBOR, nesting": qrText(t, hostileMessages()[0]),
	} {
		t.Run(name, func(t *testing.T) {
			if k, err := dcc.Key(text); err == nil {
				t.Fatalf("Key %x, want an error", k)
			}
			if v := scheme.Verify(text, pass.Policy{}, testNow); v.Reason != pass.Malformed && v.Reason != pass.UnsupportedFormat {
				t.Errorf("Verify: %s, want malformed", v.Reason)
			}
		})
	}
	t.Run("a forged signature", func(t *testing.T) {
		forged := qrText(t, resign(t, es, good, true))
		if mustKey(t, forged) != mustKey(t, qrText(t, good)) {
			t.Error("Key reads the signature")
		}
		if v := scheme.Verify(forged, pass.Policy{}, testNow); v.Reason != pass.BadIssuerSignature {
			t.Errorf("Verify: %s", v.Reason)
		}
	})
}

// checkKey holds Key to Check's verdict on any text: a text Key cannot
// name is never admitted.
func checkKey(t *testing.T, text string, v pass.Verdict) {
	if _, err := dcc.Key(text); err != nil && v.Reason != pass.Malformed && v.Reason != pass.UnsupportedFormat {
		t.Fatalf("Key refuses (%v), Verify says %s", err, v.Reason)
	}
}
