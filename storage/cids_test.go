package storage

import (
	"bytes"
	"context"
	"testing"
	"time"

	"passdesk/app"
)

// TestLedgerKeepsNoRawCID: the raw credential ID links one holder's
// visits across venues, so the ledger keeps its venue-keyed hash, and the
// raw ID only until the entry is uploaded.
func TestLedgerKeepsNoRawCID(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l, err := Open(t.TempDir(), Options{PINMemoryKiB: 256, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	cid := bytes.Repeat([]byte{0xc1}, 16)
	if _, err := l.Record(ctx, app.Entry{ID: "e1", Time: now, Outcome: app.Admit, Method: app.Offline, Reason: "ok",
		Scheme: "PD1", CID: cid, Sub: bytes.Repeat([]byte{0x5b}, 16)}); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := l.r.QueryRow(`SELECT cid FROM entries WHERE id = 'e1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, cid) || len(stored) != 32 {
		t.Errorf("entries.cid = %x: want a 32-byte keyed hash, never the raw ID", stored)
	}
	pending, err := l.PendingUploads(ctx, 10)
	if err != nil || len(pending) != 1 || !bytes.Equal(pending[0].CID, cid) {
		t.Fatalf("pending upload: %+v, %v; want the raw cid for the register", pending, err)
	}
	if err := l.MarkUploaded(ctx, []string{"e1"}, now); err != nil {
		t.Fatal(err)
	}
	var n int
	l.r.QueryRow(`SELECT count(*) FROM upload_cids`).Scan(&n)
	if n != 0 {
		t.Errorf("%d raw cids kept after the upload", n)
	}
	if err := l.Verify(ctx); err != nil {
		t.Errorf("chain: %v", err)
	}
	es, _, err := l.List(ctx, app.Filter{Day: now, Limit: 10})
	if err != nil || len(es) != 1 || es[0].CID != nil {
		t.Errorf("review after upload: %+v, %v", es, err)
	}
}
