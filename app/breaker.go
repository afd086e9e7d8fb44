package app

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// breaker is the circuit breaker in front of the service. Closed, every
// call goes through; after tripAfter consecutive failures (or one answer
// asking the kiosk to back off) it opens, and scans go straight offline.
// While open only the background prober talks to the service; its first
// success closes the breaker. Each open period is an outage.
//
// It is a state machine and nothing more: it does no I/O and calls its
// callbacks after letting go of its lock, so a slow disk recording an
// outage never holds up a scan or the window's Status. It is written here
// rather than taken from gobreaker because its half-open state must never
// be a visitor's scan, and its open periods are recorded with their cause.
type breaker struct {
	tripAfter int
	now       func() time.Time
	// onOpen and onClose hear of each outage as it begins and ends; they
	// run on the goroutine that changed the state, outside the lock, and
	// must not block.
	onOpen  func(*outage)
	onClose func(o *outage, end time.Time)

	mu         sync.Mutex
	cur        *outage // nil while closed
	fails      int
	retryAfter time.Duration
	changed    chan struct{} // closed and replaced at each state change
	// heard is when the service last answered (success or recover), on
	// the monotonic clock, not now, which tests and a wrong clock move:
	// the engine's idle check times the service's silence with it.
	heard time.Time
}

// outage is one open period of the breaker.
type outage struct {
	Start    time.Time
	Cause    string
	id       atomic.Int64  // the ledger's ID once recorded, 0 before
	recorded chan struct{} // closed once the start's write has finished
}

// ID is the ledger's ID of the outage, 0 while (or if never) recorded.
func (o *outage) ID() int64 { return o.id.Load() }

func newBreaker(tripAfter int, now func() time.Time) *breaker {
	return &breaker{tripAfter: tripAfter, now: now, changed: make(chan struct{}), heard: time.Now(),
		onOpen: func(*outage) {}, onClose: func(*outage, time.Time) {}}
}

// allow reports whether a call may go to the service now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur == nil
}

// state returns the outage under way, nil when the breaker is closed, the
// wait the service asked for, and a channel closed at the next change.
func (b *breaker) state() (cur *outage, retryAfter time.Duration, changed <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur, b.retryAfter, b.changed
}

// outage returns the ID of the outage under way, 0 when none.
func (b *breaker) outage() int64 {
	if cur, _, _ := b.state(); cur != nil {
		return cur.ID()
	}
	return 0
}

// watch returns a channel closed at the next state change.
func (b *breaker) watch() <-chan struct{} {
	_, _, ch := b.state()
	return ch
}

// success notes a call that the service answered.
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.heard = time.Now()
	if b.cur == nil {
		b.fails = 0
	}
}

// failure notes a call the service could not answer, and opens the
// breaker when that was one too many.
func (b *breaker) failure(u *Unavailable) {
	b.mu.Lock()
	if b.cur != nil {
		b.mu.Unlock()
		return
	}
	b.fails++
	if b.fails < b.tripAfter && u.RetryAfter == 0 {
		b.mu.Unlock()
		return
	}
	o := &outage{Start: b.now(), Cause: u.Cause, recorded: make(chan struct{})}
	b.cur, b.retryAfter = o, u.RetryAfter
	b.flip()
	b.mu.Unlock()
	b.onOpen(o)
}

// recover closes the breaker after a successful probe.
func (b *breaker) recover() {
	b.mu.Lock()
	b.heard = time.Now()
	o := b.cur
	if o == nil {
		b.mu.Unlock()
		return
	}
	end := b.now()
	b.cur, b.fails, b.retryAfter = nil, 0, 0
	b.flip()
	b.mu.Unlock()
	b.onClose(o, end)
}

// silence is how long the service has not answered.
func (b *breaker) silence() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return time.Since(b.heard)
}

func (b *breaker) flip() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// jitter spreads d by up to ±frac of it.
func jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 {
		return 0
	}
	spread := float64(d) * frac
	return d + time.Duration((rand.Float64()*2-1)*spread)
}

func randInt63n(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}
