package pass_test

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/passtest"
)

var roots = []ed25519.PublicKey{passtest.Pub(passtest.Root)}

func TestOpenTrustListRefuses(t *testing.T) {
	lists := passtest.Lists()
	for _, c := range []struct {
		file  string
		roots []ed25519.PublicKey
		want  error
	}{
		{"trustlist-forged.cose", roots, pass.ErrForged},
		{"trustlist-impostor.cose", roots, pass.ErrForged},
		{"trustlist-other-root.cose", roots, pass.ErrWrongKid},
		{"trustlist-no-kid.cose", roots, pass.ErrWrongKid},
		{"trustlist.cose", nil, pass.ErrNoRoot},
		{"trustlist.cose", []ed25519.PublicKey{passtest.Pub(passtest.OtherRoot)}, pass.ErrWrongKid},
		{"revocations.cose", roots, pass.ErrListMalformed},
	} {
		t.Run(c.file, func(t *testing.T) {
			tl, err := pass.OpenTrustList(lists[c.file], c.roots, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if tl != nil {
				t.Errorf("returned a list with the error")
			}
		})
	}
}

func TestOpenTrustListOtherRootAlsoPinned(t *testing.T) {
	both := []ed25519.PublicKey{passtest.Pub(passtest.Root), passtest.Pub(passtest.OtherRoot)}
	tl, err := pass.OpenTrustList(passtest.Lists()["trustlist-other-root.cose"], both, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(tl.Keys), 4; got != want {
		t.Errorf("%d keys, want %d", got, want)
	}
}

func TestOpenTrustListRollback(t *testing.T) {
	doc := passtest.Lists()["trustlist.cose"]
	held := &pass.TrustList{Seq: passtest.TrustSeq + 1}
	if _, err := pass.OpenTrustList(doc, roots, held); !errors.Is(err, pass.ErrRollback) {
		t.Fatalf("err = %v, want ErrRollback", err)
	}
	held.Seq = passtest.TrustSeq
	if _, err := pass.OpenTrustList(doc, roots, held); err != nil {
		t.Fatalf("same seq refused: %v", err)
	}
	// A forged list is reported as forged, whatever its seq.
	held.Seq = 1 << 40
	if _, err := pass.OpenTrustList(passtest.Lists()["trustlist-forged.cose"], roots, held); !errors.Is(err, pass.ErrForged) {
		t.Fatalf("err = %v, want ErrForged", err)
	}
}

func TestOpenRevocationList(t *testing.T) {
	lists := passtest.Lists()
	rl, err := pass.OpenRevocationList(lists["revocations.cose"], roots, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rl.Contains(passtest.RevokedCID) {
		t.Error("revoked cid not contained")
	}
	if rl.Contains(passtest.CID) || rl.Contains(nil) || rl.Contains(passtest.RevokedCID[:15]) {
		t.Error("contains a cid it does not list")
	}
	if _, err := pass.OpenRevocationList(lists["revocations.cose"], roots, &pass.RevocationList{Seq: passtest.RevokeSeq + 1}); !errors.Is(err, pass.ErrRollback) {
		t.Errorf("err = %v, want ErrRollback", err)
	}
	if _, err := pass.OpenRevocationList(lists["revocations-forged.cose"], roots, nil); !errors.Is(err, pass.ErrForged) {
		t.Errorf("err = %v, want ErrForged", err)
	}
	if _, err := pass.OpenRevocationList(lists["trustlist.cose"], roots, nil); !errors.Is(err, pass.ErrListMalformed) {
		t.Errorf("trust list opened as revocation list: %v", err)
	}
}

func TestListsStale(t *testing.T) {
	tl, rl := world(t)
	exp := time.Unix(passtest.TrustExp, 0)
	if tl.Stale(exp) || rl.Stale(exp) {
		t.Error("stale at exp")
	}
	if !tl.Stale(exp.Add(time.Second)) || !rl.Stale(exp.Add(time.Second)) {
		t.Error("not stale a second after exp")
	}
	var noTL *pass.TrustList
	var noRL *pass.RevocationList
	if !noTL.Stale(exp) || !noRL.Stale(exp) || noRL.Contains(passtest.RevokedCID) {
		t.Error("nil lists: not stale, or revoking")
	}
	stale, err := pass.OpenTrustList(passtest.Lists()["trustlist-stale.cose"], roots, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !stale.Stale(time.Unix(passtest.Now, 0)) {
		t.Error("stale list not stale")
	}
	v := pass.Verify(passtest.Good().QR(), stale, rl, pass.Policy{}, pass.Rules{}, time.Unix(passtest.Now, 0))
	if v.Reason != pass.TrustListStale {
		t.Errorf("reason %s, want trust_list_stale", v.Reason)
	}
}

// TestListRoundTrip checks that the lists pass signs open to what was signed.
func TestListRoundTrip(t *testing.T) {
	iss := passtest.Pub(passtest.Issuer)
	in := pass.TrustList{Seq: 9, IssuedAt: 100, Expires: 200, Keys: []pass.TrustedKey{
		{Kid: pass.KeyID(iss), Issuer: "KR-KDCA", Public: iss, NotBefore: 1, Expires: 300},
	}}
	doc, err := pass.SignTrustList(passtest.Root, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pass.OpenTrustList(doc, roots, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Seq != in.Seq || out.IssuedAt != in.IssuedAt || out.Expires != in.Expires || len(out.Keys) != 1 ||
		out.Keys[0].Kid != in.Keys[0].Kid || out.Keys[0].Issuer != "KR-KDCA" || !out.Keys[0].Public.Equal(iss) ||
		out.Keys[0].NotBefore != 1 || out.Keys[0].Expires != 300 {
		t.Errorf("opened %+v, signed %+v", out, in)
	}

	rin := pass.RevocationList{Seq: 4, IssuedAt: 10, Expires: 20, CIDs: [][16]byte{{1}, {2}}}
	rdoc, err := pass.SignRevocationList(passtest.Root, rin)
	if err != nil {
		t.Fatal(err)
	}
	rout, err := pass.OpenRevocationList(rdoc, roots, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rout.Seq != 4 || rout.IssuedAt != 10 || rout.Expires != 20 || len(rout.CIDs) != 2 || rout.CIDs[1] != [16]byte{2} {
		t.Errorf("opened %+v, signed %+v", rout, rin)
	}
	empty, err := pass.SignRevocationList(passtest.Root, pass.RevocationList{Seq: 1, Expires: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rl, err := pass.OpenRevocationList(empty, roots, nil); err != nil || len(rl.CIDs) != 0 {
		t.Errorf("empty list: %v, %v", rl, err)
	}
}

func TestSignListsRejectBadInput(t *testing.T) {
	if _, err := pass.SignTrustList(passtest.Root[:10], pass.TrustList{}); err == nil {
		t.Error("short root key accepted")
	}
	if _, err := pass.SignTrustList(passtest.Root, pass.TrustList{Keys: []pass.TrustedKey{{Public: make([]byte, 31)}}}); err == nil {
		t.Error("31-byte issuer key accepted")
	}
	if _, err := pass.SignRevocationList(passtest.Root, pass.RevocationList{Expires: -1}); err == nil {
		t.Error("negative exp accepted")
	}
}

func TestRootKey(t *testing.T) {
	pub := passtest.Pub(passtest.Root)
	s := pass.EncodeRootKey(pub)
	got, err := pass.ParseRootKey(s)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParseRootKey(%q) = %x, %v", s, got, err)
	}
	for _, bad := range []string{"", s + "=", s[:42], s + "AA", "!" + s[1:], "AAAA"} {
		if _, err := pass.ParseRootKey(bad); err == nil {
			t.Errorf("ParseRootKey(%q) accepted", bad)
		}
	}
}

func TestKeyID(t *testing.T) {
	pub := passtest.Pub(passtest.Issuer)
	kid := pass.KeyID(pub)
	if string(kid[:]) != string(passtest.KID(pub)) {
		t.Errorf("KeyID = %x, want %x", kid, passtest.KID(pub))
	}
}
