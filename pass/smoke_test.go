package pass_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"passdesk/pass"
)

func TestSmoke(t *testing.T) {
	root := ed25519.NewKeyFromSeed(make([]byte, 32))
	iss := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	hold := ed25519.NewKeyFromSeed(append(make([]byte, 31), 2))
	now := time.Unix(1_800_000_000, 0)
	kid := pass.KeyID(iss.Public().(ed25519.PublicKey))
	tlDoc, err := pass.SignTrustList(root, pass.TrustList{Seq: 1, IssuedAt: now.Unix() - 10, Expires: now.Unix() + 1000,
		Keys: []pass.TrustedKey{{Kid: kid, Issuer: "KR-KDCA", Public: iss.Public().(ed25519.PublicKey), NotBefore: 0, Expires: now.Unix() + 1e6}}})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := pass.OpenTrustList(tlDoc, []ed25519.PublicKey{root.Public().(ed25519.PublicKey)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := pass.IssueCredential(iss, pass.Claims{Issuer: "KR-KDCA", Name: "홍*동", Status: 1, NotBefore: now.Unix() - 100, Expires: now.Unix() + 100, HolderKey: hold.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	qr, err := pass.Present(cred, hold, now.Unix())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(len(qr), qr)
	v := pass.Verify(qr, tl, nil, pass.Policy{}, pass.Rules{}, now)
	if v.Reason != pass.OK {
		t.Fatalf("%+v", v)
	}
}
