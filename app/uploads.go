package app

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// uploadLoop drains the ledger's pending entries to the central register:
// in batches, at most Timing.UploadRate batches a second, with exponential
// backoff and jitter after a failure, and not at all while the breaker is
// open. The queue is the ledger itself, so it survives restarts; the
// register is idempotent by entry ID, so a batch resent after a lost answer
// is stored once. Every entry goes, online verdicts too: the service's
// verify call does not write the register, and sending all of them is what
// makes the register hold each kiosk entry exactly once.
func (e *Engine) uploadLoop(ctx context.Context) {
	lim := rate.NewLimiter(rate.Limit(e.t.UploadRate), 1)
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		ch := e.br.watch()
		if !e.br.allow() {
			if !e.waitOutage(ctx, ch) {
				return
			}
			continue
		}
		n, err := e.uploadBatch(ctx, lim)
		var wait <-chan time.Time
		wake := e.wake // a new entry ends an idle wait, never a backoff
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(backoff*2, e.t.BackoffMin), e.t.BackoffMax)
			wait, wake = time.After(retryWait(err, jitter(backoff, 0.5))), nil
		case n >= e.t.UploadBatch:
			backoff = 0 // more waiting: go on at the rate limit
			continue
		default:
			backoff = 0
			wait = time.After(e.t.UploadIdle)
		}
		select {
		case <-ctx.Done():
			return
		case <-ch: // an outage began or ended: start over
		case <-wake:
		case <-wait:
		}
	}
}

// waitOutage waits out an outage, then spreads the fleet's first batches;
// false when ctx ended.
func (e *Engine) waitOutage(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ctx.Done():
		return false
	case <-ch:
	}
	return e.t.RecoveryJitter <= 0 || sleep(ctx, time.Duration(randInt63n(int64(e.t.RecoveryJitter))))
}

// retryWait is the backoff, or longer when the service asked for it.
func retryWait(err error, backoff time.Duration) time.Duration {
	if u, ok := unavailable(err); ok && u.RetryAfter > backoff {
		return u.RetryAfter
	}
	return backoff
}

// uploadBatch sends the oldest pending entries and marks them uploaded.
func (e *Engine) uploadBatch(ctx context.Context, lim *rate.Limiter) (int, error) {
	batch, err := e.d.Ledger.PendingUploads(ctx, e.t.UploadBatch)
	if err != nil {
		e.notice(NoticeUploadQueue, err.Error())
		return 0, err
	}
	if len(batch) == 0 {
		e.pending.Store(0)
		return 0, nil
	}
	if err := lim.Wait(ctx); err != nil {
		return 0, err
	}
	s := e.set.Load()
	err = e.call(func() error {
		uctx, cancel := context.WithTimeout(ctx, e.t.UploadTimeout)
		defer cancel()
		return e.d.Service.Upload(uctx, s.cfg.VenueID, s.cfg.KioskID, batch)
	})
	if err != nil {
		if _, down := unavailable(err); !down && ctx.Err() == nil {
			e.notice(NoticeUploadRefused, err.Error())
		}
		return 0, err
	}
	ids := make([]string, len(batch))
	for i, en := range batch {
		ids[i] = en.ID
	}
	if err := e.d.Ledger.MarkUploaded(context.WithoutCancel(ctx), ids, e.now()); err != nil {
		// They will be sent again; the register keeps them once.
		e.notice(NoticeUploadNotMarked, err.Error())
		return 0, err
	}
	e.pending.Add(-int64(len(batch)))
	if len(batch) < e.t.UploadBatch {
		e.pending.Store(0)
	}
	e.event(EventUpload, fmt.Sprintf("%d entries", len(batch)), 0)
	return len(batch), nil
}

// refreshPending counts the queue at start-up.
func (e *Engine) refreshPending(ctx context.Context) {
	batch, err := e.d.Ledger.PendingUploads(ctx, 10000)
	if err == nil {
		e.pending.Store(int64(len(batch)))
	}
}

// Drain uploads what is pending now, for at most the context's time: the
// headless runner calls it before exiting. During an outage it probes the
// service itself rather than wait for the background prober's next turn.
// It returns the number of entries still pending.
func (e *Engine) Drain(ctx context.Context) (int, error) {
	left := func() int { return int(max(e.pending.Load(), 0)) }
	if e.d.Service == nil {
		return left(), nil
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	var err error
	for {
		if e.br.allow() {
			var n int
			n, err = e.uploadBatch(ctx, lim)
			if err == nil && n < e.t.UploadBatch {
				return 0, nil
			}
			if err == nil {
				continue
			}
		} else {
			pctx, cancel := context.WithTimeout(ctx, e.t.ProbeTimeout)
			err = e.d.Service.Health(pctx)
			cancel()
			if err == nil {
				e.br.recover()
				continue
			}
		}
		if !sleep(ctx, 200*time.Millisecond) {
			return left(), err
		}
	}
}
