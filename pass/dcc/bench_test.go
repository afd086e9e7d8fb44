package dcc_test

import (
	"crypto/rand"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// BenchmarkRules evaluates a rule set on one vaccination certificate, from
// the payload's conversion to JSON on (target: under 0.5 ms).
func BenchmarkRules(b *testing.B) {
	es := newES256(b, certOpts{})
	text := hc1Pass{signer: es}.text(b)
	sets := map[string]func() (*dcc.RuleSet, error){"builtin": dcc.BuiltinRules}
	data := os.Getenv("PASSDESK_CERTLOGIC_TESTDATA")
	if data == "" {
		data = filepath.Join("..", "..", "testdata", "certlogic")
	}
	eu := filepath.Join(data, "dgc-business-rules-testdata", "EU")
	sets["EU template"] = func() (*dcc.RuleSet, error) { return dcc.LoadRules(eu) }
	for _, name := range []string{"builtin", "EU template"} {
		b.Run(name, func(b *testing.B) {
			rules, err := sets[name]()
			if err != nil {
				b.Skipf("rule set: %v", err)
			}
			var vs dcc.ValueSets
			if name == "EU template" {
				if vs, err = dcc.LoadValueSets(filepath.Join(data, "dgc-business-rules-testdata", "valuesets", "valueSets.json")); err != nil {
					b.Fatal(err)
				}
			}
			s, err := dcc.New(trustList(b, es), dcc.Options{Rules: rules, ValueSets: vs})
			if err != nil {
				b.Fatal(err)
			}
			eval, err := s.RulesEvaluator(text)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if failed := eval(testNow); len(failed) > 0 {
					b.Fatalf("rules failed: %+v", failed)
				}
			}
		})
	}
}

// BenchmarkCheck is a whole HC1 verification with the built-in rules,
// signature included, for comparison.
func BenchmarkCheck(b *testing.B) {
	es := newES256(b, certOpts{})
	text := hc1Pass{signer: es}.text(b)
	s, err := dcc.New(trustList(b, es), dcc.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := s.Verify(text, pass.Policy{}, testNow); !v.Admit {
			b.Fatal(v.Reason)
		}
	}
}

// BenchmarkRevocationLookup looks a certificate up among a million revoked
// entries under its own signer's kid, the worst case, with the three
// hashes computed each time (target: under 10 µs); it reports the memory
// the entries take.
func BenchmarkRevocationLookup(b *testing.B) {
	const n = 1_000_000
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var rb dcc.RevocationBuilder
	buf := make([]byte, dcc.RevocationHashLen*n)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	types := []string{dcc.HashUCI, dcc.HashCountryCodeUCI, dcc.HashSignature}
	for i := range n {
		if err := rb.Add(kid, types[i%3], buf[i*dcc.RevocationHashLen:(i+1)*dcc.RevocationHashLen]); err != nil {
			b.Fatal(err)
		}
	}
	revoked := "URN:UVCI:01:AT:REVOKED#1"
	sum := sha256.Sum256([]byte(revoked))
	if err := rb.Add(kid, dcc.HashUCI, sum[:]); err != nil {
		b.Fatal(err)
	}
	buf = nil
	r := rb.Build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntry := float64(after.HeapAlloc-before.HeapAlloc) / float64(r.Len())
	sig := make([]byte, 64)
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r.Revoked(kid, "URN:UVCI:01:AT:GOOD#1", "AT", -7, sig) {
				b.Fatal("revoked")
			}
		}
		b.ReportMetric(perEntry, "heapB/entry")
	})
	b.Run("hit", func(b *testing.B) {
		for b.Loop() {
			if !r.Revoked(kid, revoked, "AT", -7, sig) {
				b.Fatal("not revoked")
			}
		}
	})
	runtime.KeepAlive(r)
}
