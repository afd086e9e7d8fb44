package app

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// breaker is the circuit breaker in front of the service. Closed, every
// call goes through; after Timing.FailuresToTrip consecutive failures (or
// one answer asking the kiosk to back off) it opens, and scans go straight
// offline. While open only the background prober talks to the service; its
// first success closes the breaker. Each open period is an outage in the
// ledger.
//
// It is written here rather than taken from gobreaker because its half-open
// state must never be a visitor's scan, and its open periods must be
// recorded with their cause.
type breaker struct {
	e  *Engine
	mu sync.Mutex

	open       bool
	fails      int
	since      time.Time
	cause      string
	outageID   int64
	retryAfter time.Duration
	recorded   chan struct{} // closed once the outage's start is in the ledger
	changed    chan struct{} // closed and replaced at each state change
}

func newBreaker(e *Engine) *breaker {
	return &breaker{e: e, changed: make(chan struct{})}
}

// allow reports whether a call may go to the service now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.open
}

// state returns whether the breaker is open, since when and why.
func (b *breaker) state() (open bool, since time.Time, cause string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open, b.since, b.cause
}

// outage returns the ID of the outage under way, 0 when none.
func (b *breaker) outage() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return 0
	}
	return b.outageID
}

// watch returns a channel closed at the next state change.
func (b *breaker) watch() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

// success notes a call that the service answered.
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		b.fails = 0
	}
}

// failure notes a call the service could not answer, and opens the
// breaker when that was one too many. The outage is written to the ledger
// in the background, so the scan that found the service down pays nothing
// for it; entries made in the few milliseconds before the write lands
// carry no outage ID.
func (b *breaker) failure(u *Unavailable) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open {
		return
	}
	b.fails++
	if b.fails < b.e.t.FailuresToTrip && u.RetryAfter == 0 {
		return
	}
	now := b.e.now()
	b.open, b.since, b.cause, b.outageID, b.retryAfter = true, now, u.Cause, 0, u.RetryAfter
	done := make(chan struct{})
	b.recorded = done
	b.flip()
	if !b.e.spawnBackground(func(context.Context) { b.recordOutage(now, u.Cause, done) }) {
		close(done) // the engine is closing: nothing more is recorded
	}
}

// recordOutage writes the start of an outage and publishes its ID.
func (b *breaker) recordOutage(start time.Time, cause string, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	id, err := b.e.d.Ledger.OpenOutage(ctx, start, cause)
	cancel()
	if err != nil {
		b.e.notice("the outage that began at " + start.Format(time.TimeOnly) + " could not be recorded: " + err.Error())
		id = 0
	}
	b.mu.Lock()
	if b.recorded == done {
		b.outageID = id
	}
	b.mu.Unlock()
	b.e.event(EventOutageStart, cause, id)
}

// recover closes the breaker after a successful probe and ends the outage.
func (b *breaker) recover() {
	b.mu.Lock()
	recorded := b.recorded
	b.mu.Unlock()
	if recorded != nil {
		<-recorded // the start is in the ledger before the end
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return
	}
	now := b.e.now()
	if b.outageID != 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := b.e.d.Ledger.CloseOutage(ctx, b.outageID, now)
		cancel()
		if err != nil {
			b.e.notice("the end of an outage could not be recorded: " + err.Error())
		}
	}
	id := b.outageID
	b.open, b.fails, b.cause, b.outageID, b.retryAfter, b.recorded = false, 0, "", 0, 0, nil
	b.since = time.Time{}
	b.flip()
	b.e.event(EventOutageEnd, "", id)
}

func (b *breaker) flip() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// probeLoop waits for the breaker to open, then probes the service in the
// background with growing pauses (and at least any Retry-After the service
// gave) until it answers.
func (e *Engine) probeLoop(ctx context.Context) {
	if e.d.Service == nil {
		return
	}
	for {
		ch := e.br.watch()
		e.br.mu.Lock()
		open, wait := e.br.open, e.br.retryAfter
		e.br.mu.Unlock()
		if !open {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return
			}
		}
		delay := e.t.ProbeEvery
		for {
			if !sleep(ctx, jitter(max(delay, wait), 0.2)) {
				return
			}
			pctx, cancel := context.WithTimeout(ctx, e.t.ProbeTimeout)
			err := e.d.Service.Health(pctx)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				e.br.recover()
				e.nudge()
				break
			}
			wait = 0
			if u, ok := unavailable(err); ok {
				wait = u.RetryAfter
			}
			delay = min(delay*2, e.t.ProbeMax)
		}
	}
}

// call runs one service call through the breaker: refused at once while
// open, its failure counted when the service could not answer.
func (e *Engine) call(f func() error) error {
	if !e.br.allow() {
		return errBreakerOpen
	}
	err := f()
	if err == nil {
		e.br.success()
		return nil
	}
	if u, ok := unavailable(err); ok {
		e.br.failure(u)
	} else {
		e.br.success() // the service answered, if unhelpfully
	}
	return err
}

var errBreakerOpen = &Unavailable{Cause: "outage"}

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
