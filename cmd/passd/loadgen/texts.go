package loadgen

import (
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/store"
)

// remintEvery is how often a Minter makes its QR texts again; well inside
// the 15 s window, so every text it hands out is fresh.
const remintEvery = 2 * time.Second

// Minter hands out request bodies with fresh QR texts of demo holders,
// making them again every couple of seconds, as the holders' phones would.
type Minter struct {
	holders        []store.DemoHolder
	venueID, kiosk string
	now            func() time.Time
	mu             sync.Mutex // held while minting
	cur            atomic.Pointer[minted]
	next           atomic.Uint64
}

type minted struct {
	at     time.Time
	bodies [][]byte
}

// NewMinter makes a Minter for the valid holders among hs; now is the
// clock (time.Now when nil).
func NewMinter(hs []store.DemoHolder, venueID, kioskID string, now func() time.Time) (*Minter, error) {
	if now == nil {
		now = time.Now
	}
	m := &Minter{venueID: venueID, kiosk: kioskID, now: now}
	for _, h := range hs {
		if h.Kind == store.DemoValid {
			m.holders = append(m.holders, h)
		}
	}
	if len(m.holders) == 0 {
		return nil, errors.New("loadgen: no valid demo holders to make QR texts with")
	}
	if err := m.mint(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Minter) mint() error {
	now := m.now()
	b := &minted{at: now}
	for _, h := range m.holders {
		qr, err := authority.DemoQR(h, now)
		if err != nil {
			return err
		}
		body, err := json.Marshal(api.VerifyRequest{QR: qr, VenueID: m.venueID, KioskID: m.kiosk, ScanID: h.Label})
		if err != nil {
			return err
		}
		b.bodies = append(b.bodies, body)
	}
	m.cur.Store(b)
	return nil
}

// Next returns the next request body, holders in turn.
func (m *Minter) Next() []byte {
	b := m.cur.Load()
	if m.now().Sub(b.at) >= remintEvery && m.mu.TryLock() {
		if m.mint() == nil {
			b = m.cur.Load()
		}
		m.mu.Unlock()
	}
	i := m.next.Add(1)
	return b.bodies[i%uint64(len(b.bodies))]
}

// Static hands out request bodies for fixed QR texts (from passd holder
// --text), in turn. The texts must still be fresh when sent.
func Static(texts []string, venueID, kioskID string) (func() []byte, error) {
	if len(texts) == 0 {
		return nil, errors.New("loadgen: no QR texts")
	}
	bodies := make([][]byte, len(texts))
	for i, t := range texts {
		b, err := json.Marshal(api.VerifyRequest{QR: t, VenueID: venueID, KioskID: kioskID})
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	var next atomic.Uint64
	return func() []byte { return bodies[next.Add(1)%uint64(len(bodies))] }, nil
}
