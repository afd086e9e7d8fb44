package app

import (
	"context"
	"sync"
	"time"
)

// dupKey names a presentation by what is signed: a PD1 presentation by
// its cid and iat (pass.Presentation.Key), an HC1 certificate by its
// protected header and payload (dcc.Key); a pass of a scheme that cannot
// name it, by its text's hash.
type dupKey [32]byte

// dupes remembers the presentations admitted while they are still fresh,
// so the same QR shown twice is "already checked in" rather than a second
// visitor. Only admitted and recorded presentations count: a pass denied
// or not recorded may be shown again.
type dupes struct {
	mu    sync.Mutex
	m     map[dupKey]*dupSlot
	swept time.Time
}

type dupSlot struct {
	done     chan struct{} // closed when the first scan has finished
	admitted bool
	until    time.Time
	method   Method
	entryID  string
}

// claim returns the slot of a presentation. first is true when this scan
// is the one to verify it (and must finish the slot); otherwise the slot
// is an earlier admission that is still fresh. A scan of the same
// presentation already under way is waited for.
func (d *dupes) claim(ctx context.Context, h dupKey, now time.Time) (slot *dupSlot, first bool) {
	for {
		d.mu.Lock()
		d.sweep(now)
		s, ok := d.m[h]
		if !ok {
			s = &dupSlot{done: make(chan struct{})}
			d.m[h] = s
			d.mu.Unlock()
			return s, true
		}
		d.mu.Unlock()
		select {
		case <-s.done:
		case <-ctx.Done():
			// Give up waiting: verify it again rather than block a scan.
			return &dupSlot{done: make(chan struct{})}, true
		}
		if s.admitted && !now.After(s.until) {
			return s, false
		}
		d.mu.Lock()
		if d.m[h] == s {
			delete(d.m, h)
		}
		d.mu.Unlock()
	}
}

// finish ends a first scan: an admitted one is remembered until it goes
// stale, any other is forgotten.
func (d *dupes) finish(h dupKey, s *dupSlot, admitted bool, until time.Time, method Method, id string) {
	d.mu.Lock()
	s.admitted, s.until, s.method, s.entryID = admitted, until, method, id
	if !admitted && d.m[h] == s {
		delete(d.m, h)
	}
	d.mu.Unlock()
	close(s.done)
}

// sweep drops stale slots, at most once a second; d.mu is held.
func (d *dupes) sweep(now time.Time) {
	if now.Sub(d.swept) < time.Second && !now.Before(d.swept) {
		return
	}
	d.swept = now
	for h, s := range d.m {
		select {
		case <-s.done:
			if !s.admitted || now.After(s.until) {
				delete(d.m, h)
			}
		default:
		}
	}
}

// remember restores an admission recorded before a restart: the same
// presentation is a duplicate until until.
func (d *dupes) remember(h dupKey, until time.Time, method Method, id string) {
	s := &dupSlot{done: make(chan struct{}), admitted: true, until: until, method: method, entryID: id}
	close(s.done)
	d.mu.Lock()
	d.m[h] = s
	d.mu.Unlock()
}

// rebuildDupes refills the duplicate memory from the ledger's recent
// admissions, so a visitor admitted just before the kiosk restarted is
// "already checked in" after it. A presentation admitted at t was made no
// later than t+skew and is fresh until at most t+window+2·skew.
func (e *Engine) rebuildDupes(ctx context.Context) {
	cfg := e.set.Load().cfg
	fresh := cfg.Window + 2*cfg.Skew
	now := e.verifyTime(e.now())
	es, err := e.d.Ledger.RecentAdmissions(ctx, now.Add(-fresh))
	if err != nil {
		e.notice(NoticeLedger, "the duplicate memory could not be rebuilt: "+err.Error())
		return
	}
	for _, en := range es {
		var k dupKey
		if len(en.Key) != len(k) {
			continue
		}
		copy(k[:], en.Key)
		e.dup.remember(k, en.Time.Add(fresh), en.Method, en.ID)
	}
}
