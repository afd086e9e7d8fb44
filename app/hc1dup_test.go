package app_test

import (
	"compress/zlib"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/pass"
	"passdesk/pass/dcc"
)

// hc1Rig is an engine that verifies HC1 with the real scheme, business
// rules off, trusting one generated document signer.
func hc1Rig(t *testing.T, mutate func(*app.Config, *app.Deps)) (*rig, *apptest.HC1Signer) {
	t.Helper()
	sg, err := apptest.NewHC1Signer(epoch)
	if err != nil {
		t.Fatal(err)
	}
	s := hc1Scheme(t, sg)
	r := newRig(t, func(c *app.Config, d *app.Deps) {
		d.Schemes = []pass.Scheme{s}
		if mutate != nil {
			mutate(c, d)
		}
	})
	return r, sg
}

func encodeHC1(t *testing.T, c *apptest.HC1Cert, e apptest.HC1Encoding) string {
	t.Helper()
	text, err := c.Text(e)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func vaccination(t *testing.T, sg *apptest.HC1Signer, ci string, dose int) *apptest.HC1Cert {
	t.Helper()
	c, err := sg.Vaccination("Musterfrau", "Gabriele", ci, dose, epoch.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The attack: one signed HC1 certificate written again, changing only
// what its signature does not cover, was a new presentation each time.
func TestReencodedHC1IsDuplicate(t *testing.T) {
	ctx := context.Background()
	for name, enc := range map[string]apptest.HC1Encoding{
		"another zlib level":           {Level: zlib.BestSpeed},
		"zlib without matching":        {Level: zlib.HuffmanOnly},
		"an extra unprotected header":  {Unprotected: map[any]any{uint64(99): uint64(1)}},
		"the kid repeated unprotected": {Unprotected: map[any]any{uint64(4): []byte("another")}},
		"untagged":                     {Untagged: true},
		"under the CWT tag":            {CWT: true},
		"byte strings in chunks":       {Chunked: true, Level: zlib.BestSpeed},
	} {
		t.Run(name, func(t *testing.T) {
			r, sg := hc1Rig(t, nil)
			c := vaccination(t, sg, "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B", 2)
			text, other := encodeHC1(t, c, apptest.HC1Encoding{}), encodeHC1(t, c, enc)
			if other == text {
				t.Fatal("the re-encoding is the same text")
			}
			if res := r.e.Scan(ctx, text); !res.Verdict.Admit {
				t.Fatalf("first scan: %+v", res.Entry)
			}
			r.clock.Add(2 * time.Second)
			for i := range 2 {
				if res := r.e.Scan(ctx, other); res.Entry.Outcome != app.Duplicate {
					t.Errorf("re-encoded scan %d: %q (%s), want duplicate", i, res.Entry.Outcome, res.Entry.Reason)
				}
			}
			r.clock.Add(30 * time.Second) // past window and skew: a new visit
			if res := r.e.Scan(ctx, other); !res.Verdict.Admit {
				t.Errorf("after the window: %q (%s), want admit", res.Entry.Outcome, res.Entry.Reason)
			}
		})
	}
}

// Re-encodings scanned at once, at two doors of one kiosk's engine (a
// camera and a handheld scanner), still admit one visitor.
func TestReencodedHC1Concurrent(t *testing.T) {
	r, sg := hc1Rig(t, nil)
	c := vaccination(t, sg, "URN:UVCI:01:AT:CONCURRENT#1", 2)
	encodings := []apptest.HC1Encoding{{}, {Level: zlib.BestSpeed}, {Level: zlib.HuffmanOnly}, {Untagged: true},
		{CWT: true}, {Chunked: true}, {Unprotected: map[any]any{uint64(99): uint64(1)}}, {Unprotected: map[any]any{uint64(98): "x"}}}
	texts := make([]string, len(encodings))
	for i, e := range encodings {
		texts[i] = encodeHC1(t, c, e)
	}
	results := make([]app.Result, len(texts))
	var wg sync.WaitGroup
	for i, text := range texts {
		wg.Go(func() { results[i] = r.e.Scan(context.Background(), text) })
	}
	wg.Wait()
	admits := 0
	for i, res := range results {
		switch res.Entry.Outcome {
		case app.Admit:
			admits++
		case app.Duplicate:
		default:
			t.Errorf("encoding %d: %q (%s)", i, res.Entry.Outcome, res.Entry.Reason)
		}
	}
	if admits != 1 {
		t.Errorf("%d admits, want 1", admits)
	}
}

// A re-encoding shown after a restart is still the certificate admitted
// before it: the ledger keeps the signed content's key.
func TestReencodedHC1IsDuplicateAfterRestart(t *testing.T) {
	ctx := context.Background()
	ledger := &apptest.Ledger{}
	r, sg := hc1Rig(t, func(_ *app.Config, d *app.Deps) { d.Ledger = ledger })
	c := vaccination(t, sg, "URN:UVCI:01:AT:RESTART#1", 2)
	if res := r.e.Scan(ctx, encodeHC1(t, c, apptest.HC1Encoding{})); !res.Verdict.Admit {
		t.Fatalf("first scan: %+v", res.Entry)
	}
	r.e.Close()
	s := hc1Scheme(t, sg)
	r2 := newRig(t, func(_ *app.Config, d *app.Deps) { d.Ledger, d.Schemes = ledger, []pass.Scheme{s} })
	r2.clock.Add(3 * time.Second)
	other := encodeHC1(t, c, apptest.HC1Encoding{Level: zlib.BestSpeed, Unprotected: map[any]any{uint64(99): uint64(1)}})
	if res := r2.e.Scan(ctx, other); res.Entry.Outcome != app.Duplicate {
		t.Errorf("after the restart: %q (%s), want duplicate", res.Entry.Outcome, res.Entry.Reason)
	}
}

// Two certificates of one person, signed at the same second, are two
// passes: neither is the other's duplicate, whatever they share.
func TestHC1CertificatesOfOnePersonAreTwo(t *testing.T) {
	ctx := context.Background()
	for name, second := range map[string]struct {
		ci   string
		dose int
	}{
		"another dose and identifier": {ci: "URN:UVCI:01:AT:SECOND#C", dose: 1},
		"the same identifier reused":  {ci: "URN:UVCI:01:AT:FIRST#B", dose: 1},
	} {
		t.Run(name, func(t *testing.T) {
			r, sg := hc1Rig(t, nil)
			one := vaccination(t, sg, "URN:UVCI:01:AT:FIRST#B", 2)
			two := vaccination(t, sg, second.ci, second.dose)
			for i, c := range []*apptest.HC1Cert{one, two} {
				if res := r.e.Scan(ctx, encodeHC1(t, c, apptest.HC1Encoding{})); !res.Verdict.Admit {
					t.Errorf("certificate %d: %q (%s), want admit", i+1, res.Entry.Outcome, res.Entry.Reason)
				}
			}
		})
	}
}

// keyless admits every HC1 text but can name none: a scheme whose Key
// and Verify disagree must not open the door.
type keyless struct{ hc1 }

func (keyless) Key(string) ([32]byte, error) { return [32]byte{}, errors.New("no COSE_Sign1") }

// Bad HC1 input on the duplicate path: a text that does not decode is
// refused each time, never "already checked in", keeps no key, and is
// never admitted even by a scheme that would.
func TestMalformedHC1OnTheDuplicatePath(t *testing.T) {
	ctx := context.Background()
	t.Run("undecodable texts", func(t *testing.T) {
		r, _ := hc1Rig(t, nil)
		for _, text := range []string{"HC1:", "HC1:ABC", "HC1:$$$$", "HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B3KL6QM5/OVGA/MAT%ZSGO/NM*8:WP+QS+PWZQ8B*0BZS2D6F 0SPBGQ"} {
			for i := range 2 {
				res := r.e.Scan(ctx, text)
				if res.Verdict.Admit || res.Entry.Outcome != app.Deny || res.Entry.Reason != string(pass.Malformed) {
					t.Errorf("%q scan %d: %q (%s), want deny malformed", text, i, res.Entry.Outcome, res.Entry.Reason)
				}
				if res.Entry.Key != nil {
					t.Errorf("%q scan %d kept key %x", text, i, res.Entry.Key)
				}
			}
		}
	})
	t.Run("a scheme admitting what it cannot name", func(t *testing.T) {
		r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Schemes = []pass.Scheme{keyless{}} })
		res := r.e.Scan(ctx, "HC1:ABC")
		if res.Verdict.Admit || res.Entry.Outcome != app.Deny || res.Entry.Reason != string(pass.Malformed) {
			t.Errorf("got %q (%s), want deny malformed", res.Entry.Outcome, res.Entry.Reason)
		}
	})
	t.Run("a forged copy of an admitted certificate", func(t *testing.T) {
		r, sg := hc1Rig(t, nil)
		c := vaccination(t, sg, "URN:UVCI:01:AT:FORGED#1", 2)
		if res := r.e.Scan(ctx, encodeHC1(t, c, apptest.HC1Encoding{})); !res.Verdict.Admit {
			t.Fatalf("first scan: %+v", res.Entry)
		}
		forged := encodeHC1(t, c.Forged(), apptest.HC1Encoding{Level: zlib.BestSpeed})
		res := r.e.Scan(ctx, forged)
		if res.Verdict.Admit || res.Entry.Reason != string(pass.BadIssuerSignature) {
			t.Errorf("got %q (%s), want deny bad_issuer_signature", res.Entry.Outcome, res.Entry.Reason)
		}
	})
}

// hc1Scheme is the HC1 scheme trusting sg's signer, without business
// rules.
func hc1Scheme(t *testing.T, sg *apptest.HC1Signer) *dcc.Scheme {
	t.Helper()
	ts, err := dcc.ParseTrustList(sg.TrustFile())
	if err != nil {
		t.Fatal(err)
	}
	s, err := dcc.New(ts, dcc.Options{NoRules: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
