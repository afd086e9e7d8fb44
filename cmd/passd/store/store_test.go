package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"passdesk/cmd/passd/store"
)

func mustOpen(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "passd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestReopenKeepsSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passd.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s.Close()
}

func TestIssuerKeysAndTrustSeq(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
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

func TestRevokeIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
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

func TestStoreEntriesIdempotent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
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
