package authority_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func mustInit(t *testing.T) (string, ed25519.PublicKey) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	root, created, err := authority.Init(dir, "", now)
	if err != nil || !created {
		t.Fatalf("Init = %v, created %v", err, created)
	}
	return dir, root
}

func TestInitKeepsKeys(t *testing.T) {
	dir, root := mustInit(t)
	root2, created, err := authority.Init(dir, "", now)
	if err != nil || created || !root.Equal(root2) {
		t.Errorf("second Init = %v created %v, same key %v", err, created, root.Equal(root2))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys := 0
	for _, e := range entries {
		fi, _ := e.Info()
		if filepath.Ext(e.Name()) == ".key" {
			keys++
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
			}
		}
	}
	if keys != 2 {
		t.Errorf("%d key files, want root and one issuer", keys)
	}
	pub, err := os.ReadFile(filepath.Join(dir, "root.pub"))
	if err != nil || string(pub) != pass.EncodeRootKey(root)+"\n" {
		t.Errorf("root.pub = %q, %v", pub, err)
	}
}

func TestOpenRefusesUninitializedAndExposedKeys(t *testing.T) {
	if _, err := authority.Open(t.TempDir(), clock); !errors.Is(err, authority.ErrNotInitialized) {
		t.Errorf("Open of an empty directory = %v, want ErrNotInitialized", err)
	}
	dir, _ := mustInit(t)
	if err := os.Chmod(filepath.Join(dir, "root.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := authority.Open(dir, clock); err == nil {
		t.Error("Open with a world-readable root key succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "root.key"), []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := authority.Open(dir, clock); err == nil {
		t.Error("Open with a garbage root key succeeded")
	}
}

func TestEnrollRotateRevoke(t *testing.T) {
	dir, root := mustInit(t)
	a, err := authority.Open(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	iss, err := a.Enroll(ctx, authority.Enrollment{Name: " 홍길동 ", BirthYear: 1990, Status: pass.Vaccinated, HolderKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Claims.Name != "홍*동" || iss.Claims.Issuer != authority.DefaultIssuer || iss.Claims.Expires <= now.Unix() {
		t.Errorf("claims %+v", iss.Claims)
	}
	kid, err := a.RotateIssuer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc, tl, err := a.SignedTrustList(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pass.OpenTrustList(doc, []ed25519.PublicKey{root}, nil); err != nil {
		t.Errorf("trust list does not open with the root: %v", err)
	}
	if len(tl.Keys) != 2 || tl.Keys[1].Kid != kid || tl.Stale(now.Add(authority.ListLifetime-time.Second)) {
		t.Errorf("trust list after rotation: %+v", tl)
	}
	qr, _ := pass.Present(iss.Credential, priv, now.Unix())
	if v := pass.Verify(qr, tl, nil, pass.Policy{}, pass.Rules{}, now); !v.Admit {
		t.Errorf("credential of the rotated-out key: %s", v.Reason)
	}
	added, known, err := a.Revoke(ctx, iss.CID, "test")
	if err != nil || !added || !known {
		t.Errorf("Revoke = added %v known %v %v", added, known, err)
	}
	if added, _, _ := a.Revoke(ctx, iss.CID, "again"); added {
		t.Error("revoking twice added it twice")
	}
	if _, known, _ := a.Revoke(ctx, [16]byte{1}, ""); known {
		t.Error("a foreign cid reported as known")
	}
	_, rl, err := a.SignedRevocationList(ctx, now)
	if err != nil || len(rl.CIDs) != 2 || !rl.Contains(iss.CID[:]) {
		t.Errorf("revocation list %+v, %v", rl, err)
	}
}

func TestEnrollmentCheck(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	good := authority.Enrollment{Name: "A", Status: 1, HolderKey: pub}
	if err := good.Check(2026); err != nil {
		t.Errorf("good enrollment: %v", err)
	}
	for name, e := range map[string]authority.Enrollment{
		"blank name":  {Name: "  ", Status: 1, HolderKey: pub},
		"long name":   {Name: string(make([]rune, 65)), Status: 1, HolderKey: pub},
		"bad UTF-8":   {Name: "\xff", Status: 1, HolderKey: pub},
		"status 5":    {Name: "A", Status: 5, HolderKey: pub},
		"birth 1800":  {Name: "A", BirthYear: 1800, Status: 1, HolderKey: pub},
		"no key":      {Name: "A", Status: 1},
		"control chr": {Name: "A\nB", Status: 1, HolderKey: pub},
		"zero key":    {Name: "A", Status: 1, HolderKey: make([]byte, 32)},
	} {
		if err := e.Check(2026); !errors.Is(err, authority.ErrInvalid) {
			t.Errorf("%s: Check = %v, want ErrInvalid", name, err)
		}
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{
		"":         "",
		"홍":        "홍",
		"길동":       "길*",
		"홍길동":      "홍*동",
		"남궁민수":     "남**수",
		"Jane Doe": "J*** **e",
		" 홍길동 ":    "홍*동",
	} {
		if got := authority.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnsureDemoTopsUp(t *testing.T) {
	dir, _ := mustInit(t)
	a, err := authority.Open(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	if added, err := a.EnsureDemo(ctx, 2); err != nil || added != 4 {
		t.Fatalf("EnsureDemo(2) = %d, %v; want 2 valid + revoked + stale", added, err)
	}
	if added, err := a.EnsureDemo(ctx, 2); err != nil || added != 0 {
		t.Errorf("EnsureDemo(2) again = %d, %v; want nothing added", added, err)
	}
	if added, err := a.EnsureDemo(ctx, 3); err != nil || added != 1 {
		t.Errorf("EnsureDemo(3) = %d, %v; want one more", added, err)
	}
	ds, err := a.DemoHolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, tl, _ := a.SignedTrustList(ctx, now)
	_, rl, _ := a.SignedRevocationList(ctx, now)
	want := map[string]pass.Reason{"holder-1": pass.OK, "holder-2": pass.OK, "holder-3": pass.OK,
		authority.RevokedLabel: pass.Revoked, authority.StaleLabel: pass.QRExpired}
	if len(ds) != len(want) {
		t.Errorf("%d demo holders, want %d", len(ds), len(want))
	}
	for _, d := range ds {
		qr, err := authority.DemoQR(d, now)
		if err != nil {
			t.Fatal(err)
		}
		if v := pass.Verify(qr, tl, rl, pass.Policy{}, pass.Rules{}, now); v.Reason != want[d.Label] {
			t.Errorf("%s (%s) verifies %s, want %s", d.Label, d.Kind, v.Reason, want[d.Label])
		}
	}
	if _, err := authority.DemoQR(store.DemoHolder{Label: "x"}, now); err == nil {
		t.Error("DemoQR without a key succeeded")
	}
}
