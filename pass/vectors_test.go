package pass_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/passtest"
)

const vectorDir = "../testdata/pd1"

// world opens the test world's lists the way a kiosk would.
func world(t testing.TB) (*pass.TrustList, *pass.RevocationList) {
	t.Helper()
	lists := passtest.Lists()
	roots := []ed25519.PublicKey{passtest.Pub(passtest.Root)}
	tl, err := pass.OpenTrustList(lists["trustlist.cose"], roots, nil)
	if err != nil {
		t.Fatalf("OpenTrustList: %v", err)
	}
	rl, err := pass.OpenRevocationList(lists["revocations.cose"], roots, nil)
	if err != nil {
		t.Fatalf("OpenRevocationList: %v", err)
	}
	return tl, rl
}

func TestCases(t *testing.T) {
	tl, rl := world(t)
	seen := map[string]bool{}
	for _, c := range passtest.Cases() {
		if seen[c.Name] {
			t.Fatalf("two cases named %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			v := pass.Verify(c.QR, tl, rl, pass.Policy{}, pass.Rules{}, time.Unix(c.At, 0))
			if v.Reason != c.Expect {
				t.Errorf("reason = %s, want %s", v.Reason, c.Expect)
			}
			if got, want := v.Admit, c.Expect == pass.OK; got != want {
				t.Errorf("admit = %v, want %v", got, want)
			}
			_, err := pass.Parse(c.QR)
			switch c.Expect {
			case pass.UnsupportedFormat, pass.Malformed:
				if got := pass.ReasonOf(err); got != c.Expect {
					t.Errorf("Parse: reason %q (%v), want %s", got, err, c.Expect)
				}
			default:
				if err != nil {
					t.Errorf("Parse: %v", err)
				}
			}
		})
	}
}

// TestEveryReason makes sure the vectors cover every reason Verify returns.
func TestEveryReason(t *testing.T) {
	have := map[pass.Reason]bool{}
	for _, c := range passtest.Cases() {
		have[c.Expect] = true
	}
	for _, r := range []pass.Reason{pass.OK, pass.UnsupportedFormat, pass.Malformed, pass.TrustListStale,
		pass.UnknownIssuer, pass.BadIssuerSignature, pass.BadHolderSignature, pass.CredentialNotYetValid,
		pass.CredentialExpired, pass.QRFromFuture, pass.QRExpired, pass.Revoked, pass.PolicyDenied} {
		if !have[r] {
			t.Errorf("no vector expects %s", r)
		}
	}
}

// TestGeneratedFiles checks that testdata/pd1 is what `go generate` makes
// today, and that the committed vectors verify as they say.
func TestGeneratedFiles(t *testing.T) {
	files, err := passtest.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(vectorDir, name))
		if err != nil {
			t.Fatalf("%v (run go generate ./pass)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator makes; run go generate ./pass", name)
		}
	}

	raw, err := os.ReadFile(filepath.Join(vectorDir, passtest.VectorsFile))
	if err != nil {
		t.Fatal(err)
	}
	var cases []passtest.Case
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(vectorDir, passtest.RootKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	root, err := pass.ParseRootKey(string(bytes.TrimSpace(key)))
	if err != nil {
		t.Fatal(err)
	}
	tl := mustOpenTrust(t, filepath.Join(vectorDir, "trustlist.cose"), root)
	rlDoc, err := os.ReadFile(filepath.Join(vectorDir, "revocations.cose"))
	if err != nil {
		t.Fatal(err)
	}
	rl, err := pass.OpenRevocationList(rlDoc, []ed25519.PublicKey{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		v := pass.Verify(c.QR, tl, rl, pass.Policy{}, pass.Rules{}, time.Unix(c.At, 0))
		if v.Reason != c.Expect {
			t.Errorf("%s: reason = %s, want %s", c.Name, v.Reason, c.Expect)
		}
	}
}

func mustOpenTrust(t *testing.T, name string, root ed25519.PublicKey) *pass.TrustList {
	t.Helper()
	doc, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := pass.OpenTrustList(doc, []ed25519.PublicKey{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}
