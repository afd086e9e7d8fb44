package pass_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/base45"
	"passdesk/pass/passtest"
)

// FuzzParseText feeds QR texts to Parse: it must never panic, and a text it
// accepts must carry well-sized fields.
func FuzzParseText(f *testing.F) {
	for _, c := range passtest.Cases() {
		f.Add(c.QR)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := pass.Parse(text)
		if err != nil {
			if r := pass.ReasonOf(err); r != pass.Malformed && r != pass.UnsupportedFormat {
				t.Fatalf("Parse error with reason %q: %v", r, err)
			}
			return
		}
		if len(p.Claims.HolderKey) != 32 || len(text) > pass.MaxTextLen {
			t.Fatalf("accepted %q: %+v", text, p)
		}
	})
}

// FuzzVerify runs the whole verification path on fuzzed texts and times.
func FuzzVerify(f *testing.F) {
	tl, rl := world(f)
	for _, c := range passtest.Cases() {
		f.Add(c.QR, c.At)
	}
	f.Add(passtest.Good().QR(), int64(math.MaxInt64))
	f.Add(passtest.Good().QR(), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, text string, at int64) {
		v := pass.Verify(text, tl, rl, pass.Policy{}, pass.Rules{}, time.Unix(at, 0))
		if v.Reason == "" || v.Admit != (v.Reason == pass.OK) {
			t.Fatalf("verdict %+v", v)
		}
		if v.Admit {
			// Only a pass the issuer and holder signed is admitted, so a
			// fuzzed text that is admitted must decode to the same claims
			// as a generated one.
			p, err := pass.Parse(text)
			if err != nil || p.Claims.Issuer == "" && p.Claims.Name == "" && len(p.Claims.HolderKey) != 32 {
				t.Fatalf("admitted %q: %v", text, err)
			}
		}
	})
}

// FuzzParseCOSE fuzzes the bytes under the Base45, where the CBOR and COSE
// decoding is, and runs them through Verify as a QR text.
func FuzzParseCOSE(f *testing.F) {
	tl, rl := world(f)
	for _, c := range passtest.Cases() {
		if raw, err := base45.Decode(strings.TrimPrefix(c.QR, pass.Prefix)); err == nil && strings.HasPrefix(c.QR, pass.Prefix) {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		text := pass.Prefix + base45.Encode(raw)
		p, err := pass.Parse(text)
		if err == nil && !bytes.Equal(p.Raw, raw) {
			t.Fatalf("Raw = %x, want %x", p.Raw, raw)
		}
		if err != nil && pass.ReasonOf(err) != pass.Malformed {
			t.Fatalf("reason %q: %v", pass.ReasonOf(err), err)
		}
		v := pass.Verify(text, tl, rl, pass.Policy{}, pass.Rules{}, now)
		if (err != nil) != (v.Reason == pass.Malformed) {
			t.Fatalf("Parse error %v, Verify reason %s", err, v.Reason)
		}
	})
}
