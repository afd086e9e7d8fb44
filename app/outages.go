package app

import (
	"context"
	"errors"
	"time"
)

// openOutage records the start of an outage in the background, so the
// scan that found the service down pays nothing for it; entries made in
// the few milliseconds before the write lands carry no outage ID.
func (e *Engine) openOutage(o *outage) {
	if !e.spawnBackground(func(context.Context) { e.recordOutage(o) }) {
		close(o.recorded) // the engine is closing: nothing more is recorded
	}
}

func (e *Engine) recordOutage(o *outage) {
	defer close(o.recorded)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	id, err := e.d.Ledger.OpenOutage(ctx, o.Start, o.Cause)
	cancel()
	if err != nil {
		e.notice(NoticeOutageNotRecorded, o.Start.Format(time.TimeOnly)+": "+err.Error())
		return
	}
	o.id.Store(id)
	e.event(EventOutageStart, o.Cause, id)
}

// closeOutage records the end of an outage in the background, after its
// start: the ledger write (an fsync) never holds the breaker.
func (e *Engine) closeOutage(o *outage, end time.Time) {
	run := func(context.Context) {
		<-o.recorded
		id := o.ID()
		if id != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := e.d.Ledger.CloseOutage(ctx, id, end)
			cancel()
			if err != nil {
				e.notice(NoticeOutageNotRecorded, end.Format(time.TimeOnly)+": "+err.Error())
			}
		}
		e.event(EventOutageEnd, "", id)
	}
	if !e.spawnBackground(run) {
		go run(context.Background()) // closing: still end what was begun
	}
}

// probeLoop waits for the breaker to open, then probes the service in the
// background with growing pauses (and at least any Retry-After the service
// gave) until it answers.
func (e *Engine) probeLoop(ctx context.Context) {
	if e.d.Service == nil {
		return
	}
	for {
		cur, wait, ch := e.br.state()
		if cur == nil {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return
			}
		}
		if !e.probe(ctx, wait) {
			return
		}
	}
}

// probe probes until the service answers and closes the breaker; false
// when ctx ended first.
func (e *Engine) probe(ctx context.Context, wait time.Duration) bool {
	delay := e.t.ProbeEvery
	for {
		if !sleep(ctx, jitter(max(delay, wait), 0.2)) {
			return false
		}
		pctx, cancel := context.WithTimeout(ctx, e.t.ProbeTimeout)
		err := e.d.Service.Health(pctx)
		cancel()
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			e.br.recover()
			e.nudge()
			return true
		}
		wait = 0
		if u, ok := unavailable(err); ok {
			wait = u.RetryAfter
		}
		delay = min(delay*2, e.t.ProbeMax)
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
		if errors.Is(err, ErrUnauthorized) {
			e.notice(NoticeCredentialRejected, err.Error())
		}
	}
	return err
}

var errBreakerOpen = &Unavailable{Cause: "outage"}

// idleLoop asks for the service's health whenever it has not answered
// for IdleCheck while the breaker is closed. Without it, a kiosk that no
// visitor uses goes on saying "service online" for minutes after the
// service fell (until the next list sync finds out), and the first
// visitors after that wait out the deadline to learn it. A failed check
// counts as any failed call does (FailuresToTrip), the next coming after
// ProbeEvery; once the breaker opens, probeLoop takes over.
func (e *Engine) idleLoop(ctx context.Context) {
	if e.d.Service == nil {
		return
	}
	for {
		cur, _, ch := e.br.state()
		if cur != nil {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return
			}
		}
		if wait := e.t.IdleCheck - e.br.silence(); wait > 0 {
			// Spread a fleet's checks, started together, over time.
			if !sleep(ctx, jitter(wait, 0.1)) {
				return
			}
			continue
		}
		e.call(func() error {
			pctx, cancel := context.WithTimeout(ctx, e.t.ProbeTimeout)
			defer cancel()
			return e.d.Service.Health(pctx)
		})
		// Answered, the next check is due IdleCheck on; failed, at
		// once. Either way not before ProbeEvery.
		if !sleep(ctx, e.t.ProbeEvery) {
			return
		}
	}
}
