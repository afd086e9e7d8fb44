// Package storetest is the conformance suite every store.Store adapter
// passes: the same behaviour on SQLite and on PostgreSQL.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"passdesk/cmd/passd/store"
)

// Run runs the suite; open returns a new, empty store for each case.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"issuer keys", testIssuerKeys},
		{"revoke", testRevoke},
		{"entries", testEntries},
		{"entry conflict", testEntryConflict},
		{"holders", testHolders},
		{"tokens", testTokens},
		{"presentations", testPresentations},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func testIssuerKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	tl0, _, err := s.Seqs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CurrentIssuerKey(ctx); err != store.ErrNotFound {
		t.Fatalf("CurrentIssuerKey on empty store: %v, want ErrNotFound", err)
	}
	old := store.IssuerKey{Kid: [8]byte{1}, Issuer: "KR-KDCA", Public: make([]byte, 32), NotBefore: 0, Expires: 100, Current: true}
	cur := store.IssuerKey{Kid: [8]byte{2}, Issuer: "KR-KDCA", Public: make([]byte, 32), NotBefore: 50, Expires: 1000, Created: 1, Current: true}
	for _, k := range []store.IssuerKey{old, cur} {
		if err := s.AddIssuerKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CurrentIssuerKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kid != cur.Kid {
		t.Errorf("current kid = %x, want %x", got.Kid, cur.Kid)
	}
	snap, err := s.TrustState(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(snap.Keys), 2; got != want {
		t.Errorf("keys at 60 = %d, want %d", got, want)
	}
	if got, want := snap.Seq, tl0+2; got != want {
		t.Errorf("tl seq = %d, want %d", got, want)
	}
	snap, err = s.TrustState(ctx, 101)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Keys) != 1 || snap.Keys[0].Kid != cur.Kid {
		t.Errorf("keys at 101 = %+v, want only the current key", snap.Keys)
	}
}

func testRevoke(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, rl0, _ := s.Seqs(ctx)
	cid := [16]byte{9, 9}
	for i, want := range []bool{true, false} {
		added, err := s.Revoke(ctx, cid, 10, "test")
		if err != nil {
			t.Fatal(err)
		}
		if added != want {
			t.Errorf("revoke #%d added = %v, want %v", i+1, added, want)
		}
	}
	snap, err := s.RevocationState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := snap.Seq, rl0+1; got != want {
		t.Errorf("rl seq = %d, want %d", got, want)
	}
	if len(snap.CIDs) != 1 || snap.CIDs[0] != cid {
		t.Errorf("cids = %x, want [%x]", snap.CIDs, cid)
	}
}

func testEntries(t *testing.T, s store.Store) {
	ctx := context.Background()
	batch := []store.Entry{
		{ID: "a", Time: 1, Outcome: "admit", Method: "online", Reason: "ok"},
		{ID: "b", Time: 2, Outcome: "deny", Method: "offline", Reason: "revoked", CID: make([]byte, 16)},
		{ID: "a", Time: 1, Outcome: "admit", Method: "online", Reason: "ok"},
	}
	stored, dup, err := s.StoreEntries(ctx, "v1", "k1", 100, batch)
	if err != nil {
		t.Fatal(err)
	}
	if stored != 2 || dup != 1 {
		t.Errorf("first batch stored=%d duplicate=%d, want 2, 1", stored, dup)
	}
	stored, dup, err = s.StoreEntries(ctx, "v1", "k1", 101, batch)
	if err != nil {
		t.Fatal(err)
	}
	if stored != 0 || dup != 3 {
		t.Errorf("replayed batch stored=%d duplicate=%d, want 0, 3", stored, dup)
	}
	// The same entry ID from another kiosk is another entry.
	if stored, _, _ := s.StoreEntries(ctx, "v1", "k2", 102, batch[:1]); stored != 1 {
		t.Errorf("other kiosk stored=%d, want 1", stored)
	}
	if n, _ := s.CountEntries(ctx, "v1", "k1"); n != 2 {
		t.Errorf("register holds %d entries for k1, want 2", n)
	}
	e, err := s.EntryByID(ctx, "v1", "k1", "b")
	if err != nil || e.Reason != "revoked" || len(e.CID) != 16 {
		t.Errorf("EntryByID = %+v, %v", e, err)
	}
	ks, err := s.Kiosks(ctx)
	if err != nil || len(ks) != 2 || ks[0].LastSeen != 101 || ks[0].FirstSeen != 100 {
		t.Errorf("Kiosks = %+v, %v", ks, err)
	}
}

func testEntryConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := store.Entry{ID: "e1", Time: 1, Outcome: "admit", Method: "manual", Reason: "ok", ManualReason: "no_phone"}
	if _, _, err := s.StoreEntries(ctx, "v1", "k1", 100, []store.Entry{a}); err != nil {
		t.Fatal(err)
	}
	b := a
	b.Outcome, b.Reason = "deny", "revoked"
	fresh := store.Entry{ID: "e2", Time: 2, Outcome: "admit", Method: "online", Reason: "ok"}
	_, _, err := s.StoreEntries(ctx, "v1", "k1", 101, []store.Entry{fresh, b})
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.ID != "e1" || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("conflicting entry: err = %v, want a ConflictError for e1", err)
	}
	if got, err := s.EntryByID(ctx, "v1", "k1", "e1"); err != nil || got.Outcome != "admit" {
		t.Errorf("held entry after conflict = %+v, %v; want the first one", got, err)
	}
	if _, err := s.EntryByID(ctx, "v1", "k1", "e2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the batch with a conflict stored e2: %v", err)
	}
	// A nil and an empty cid are the same content.
	c := store.Entry{ID: "e3", Time: 3, Outcome: "admit", Method: "online", Reason: "ok", CID: []byte{}}
	for i := range 2 {
		if _, _, err := s.StoreEntries(ctx, "v1", "k1", 102, []store.Entry{c}); err != nil {
			t.Fatalf("upload %d of an entry without cid: %v", i+1, err)
		}
		c.CID = nil
	}
}

func testHolders(t *testing.T, s store.Store) {
	ctx := context.Background()
	h := store.Holder{Sub: [16]byte{1}, HolderPub: bytes.Repeat([]byte{7}, 32), Name: "홍길동", BirthYear: 1980, Status: 1, Created: 10}
	c := store.Credential{CID: [16]byte{2}, Sub: h.Sub, Kid: [8]byte{3}, NotBefore: 1, Expires: 99, Credential: []byte{0xd2}, Issued: 10}
	if err := s.AddHolder(ctx, h, c); err != nil {
		t.Fatal(err)
	}
	other := h
	other.Sub, other.Name, other.Status = [16]byte{9}, "Mallory", 4
	c2 := c
	c2.CID, c2.Sub = [16]byte{4}, other.Sub
	if err := s.AddHolder(ctx, other, c2); !errors.Is(err, store.ErrExists) {
		t.Errorf("enrolling a held key again: %v, want ErrExists", err)
	}
	got, err := s.HolderByKey(ctx, h.HolderPub)
	if err != nil || got.Name != "홍길동" || got.Status != 1 || got.Sub != h.Sub {
		t.Errorf("holder after a second enrollment = %+v, %v; want it unchanged", got, err)
	}
	if ok, _ := s.CredentialExists(ctx, c2.CID); ok {
		t.Error("the refused enrollment's credential was stored")
	}
	h.Status = 3
	c3 := c
	c3.CID = [16]byte{5}
	if err := s.Reissue(ctx, h, c3); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.HolderBySub(ctx, h.Sub); got.Status != 3 {
		t.Errorf("status after reissue = %d, want 3", got.Status)
	}
	if got, err := s.CredentialByID(ctx, c3.CID); err != nil || got.Sub != h.Sub || !bytes.Equal(got.Credential, c.Credential) {
		t.Errorf("reissued credential = %+v, %v", got, err)
	}
	if err := s.Reissue(ctx, store.Holder{Sub: [16]byte{0xee}}, store.Credential{CID: [16]byte{6}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reissue for an unknown holder: %v, want ErrNotFound", err)
	}
	if _, err := s.HolderByKey(ctx, make([]byte, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	seq0, err := s.TokenSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k := store.Token{ID: "00aa", Hash: [32]byte{1}, Kind: store.TokenKiosk, VenueID: "cafe-1", KioskID: "door-1", Created: 5}
	o := store.Token{ID: "00bb", Hash: [32]byte{2}, Kind: store.TokenOperator, Name: "desk", Created: 6}
	for _, tok := range []store.Token{k, o} {
		if err := s.AddToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddToken(ctx, store.Token{ID: "00cc", Hash: k.Hash, Kind: store.TokenKiosk, Created: 7}); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second credential with the same hash: %v, want ErrExists", err)
	}
	for i, want := range []bool{true, false} {
		if got, err := s.RevokeToken(ctx, "00aa", 9); err != nil || got != want {
			t.Errorf("revoke #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	if _, err := s.RevokeToken(ctx, "ffff", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking an unknown credential: %v, want ErrNotFound", err)
	}
	snap, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := snap.Seq, seq0+3; got != want {
		t.Errorf("token seq = %d, want %d", got, want)
	}
	if len(snap.Tokens) != 2 || snap.Tokens[0].Revoked != 9 || snap.Tokens[0].Hash != k.Hash ||
		snap.Tokens[1].Revoked != 0 || snap.Tokens[1].Name != "desk" || snap.Tokens[0].VenueID != "cafe-1" {
		t.Errorf("tokens = %+v", snap.Tokens)
	}
}

func testPresentations(t *testing.T, s store.Store) {
	ps, ok := s.(store.Presentations)
	if !ok {
		t.Skip("this adapter serves one node; the node keeps the set in memory")
	}
	ctx := context.Background()
	p := store.Presentation{CID: [16]byte{1}, IAT: 100, VenueID: "v", KioskID: "door-1", Expires: 120}
	first, err := ps.ClaimPresentation(ctx, p, 100)
	if err != nil || first != p {
		t.Fatalf("first claim = %+v, %v; want its own", first, err)
	}
	q := p
	q.KioskID = "door-2"
	if first, err := ps.ClaimPresentation(ctx, q, 105); err != nil || first.KioskID != "door-1" {
		t.Errorf("second claim = %+v, %v; want door-1's", first, err)
	}
	if first, err := ps.ClaimPresentation(ctx, q, 121); err != nil || first.KioskID != "door-2" {
		t.Errorf("claim after expiry = %+v, %v; want door-2's own", first, err)
	}
	many := []store.Presentation{
		{CID: [16]byte{2}, IAT: 100, VenueID: "v", KioskID: "door-3", Expires: 120},
		{CID: [16]byte{1}, IAT: 100, VenueID: "v", KioskID: "door-3", Expires: 120},
		{CID: [16]byte{2}, IAT: 101, VenueID: "v", KioskID: "door-3", Expires: 121},
	}
	got, err := ps.ClaimPresentations(ctx, many, 110)
	if err != nil || len(got) != 3 || got[0].KioskID != "door-3" || got[1].KioskID != "door-2" || got[2].IAT != 101 {
		t.Errorf("batch claim = %+v, %v; want new, door-2's, new", got, err)
	}
	if n, err := ps.PurgePresentations(ctx, 1000); err != nil || n != 3 {
		t.Errorf("purge = %d, %v; want 3", n, err)
	}
}
