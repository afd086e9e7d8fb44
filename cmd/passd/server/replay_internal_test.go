package server

import (
	"io"
	"log/slog"
	"testing"

	"passdesk/cmd/passd/store"
)

func TestReplaySetExpiry(t *testing.T) {
	r := newReplaySet(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p := func(cid byte, iat int64, kiosk string) store.Presentation {
		return store.Presentation{CID: [16]byte{cid}, IAT: iat, VenueID: "v", KioskID: kiosk, Expires: iat + 20}
	}
	if got := r.claimLocal(p(1, 100, "door-1"), 100); got.KioskID != "door-1" {
		t.Fatalf("first claim = %+v", got)
	}
	if got := r.claimLocal(p(1, 100, "door-2"), 120); got.KioskID != "door-1" {
		t.Errorf("claim at the horizon = %+v, want door-1's", got)
	}
	if got := r.claimLocal(p(1, 100, "door-2"), 121); got.KioskID != "door-2" {
		t.Errorf("claim past the horizon = %+v, want its own", got)
	}
	// Thousands of claims later, expired ones are forgotten and the
	// queue is compacted.
	for i := range 5000 {
		r.claimLocal(p(byte(i), int64(200+i/100), "door-1"), int64(200+i/100))
	}
	r.mu.Lock()
	held, queued := len(r.held), len(r.order)-r.head
	r.mu.Unlock()
	if held > 2200 || queued > 2200 || len(r.order) > 4*2200 {
		t.Errorf("held %d, queued %d (slice %d): expired claims are kept", held, queued, len(r.order))
	}
}
