package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// sojournShedder decides from how long a request has waited whether to
// turn it away.
//
// A verification is pure CPU. When more arrive than the cores can
// verify, the queue forms before any handler runs, among connections
// whose requests wait in the socket and the Go scheduler to be read; a
// count of requests in handlers never sees it. The kernel stamps each
// segment as it arrives (see listener), so the time from that stamp to
// the moment the request is read is its sojourn in that queue, and the
// wait of every request behind it.
//
// As in CoDel only a standing queue counts: when more than one request
// in twenty of the last interval waited longer than target, the queue is
// standing and every request that waited longer than target is answered
// 429, at the cost of a read and a write, instead of a verification. The
// queue then stays about target long, so refusals are fast and admitted
// requests too. A burst after a quiet interval (a crowd of kiosks wakes
// at once) may wait up to burst and is verified.
type sojournShedder struct {
	target, burst time.Duration
	now           func() time.Time
	// onChange, when set, hears when a queue starts or stops standing,
	// with the interval's late and total requests.
	onChange func(standing bool, late, n int)
	shedded  atomic.Int64 // requests turned away
	isStand  atomic.Bool  // standing, for the health check

	mu       sync.Mutex
	start    time.Time // of the current interval
	n, late  int       // requests in it, and those that waited over target
	standing bool      // the last interval had a standing queue
}

// shedInterval is the interval over which a queue must stand, and
// minStanding the requests it must hold: 20 in 100 ms keep a core 4 %
// busy, and a few late reads among fewer are a stall (a GC, a page fault,
// another process), not a queue.
const (
	shedInterval = 100 * time.Millisecond
	minStanding  = 20
)

func newSojournShedder(target, burst time.Duration, now func() time.Time) *sojournShedder {
	if burst < target {
		burst = target
	}
	return &sojournShedder{target: target, burst: burst, now: now}
}

// shed says whether to turn away a request that arrived at arrived (zero:
// not known, never shed) and has ahead the requests already admitted
// whose verification has not begun, which take ahead.
func (q *sojournShedder) shed(arrived time.Time, ahead time.Duration) bool {
	if arrived.IsZero() {
		return false
	}
	now := q.now()
	wait := now.Sub(arrived) + ahead
	q.mu.Lock()
	changed, late, n := false, 0, 0
	if since := now.Sub(q.start); since >= shedInterval {
		was := q.standing
		q.standing = since < 2*shedInterval && q.n >= minStanding && q.late*20 > q.n
		changed, late, n = q.standing != was, q.late, q.n
		q.start, q.n, q.late = now, 0, 0
	}
	q.n++
	if wait > q.target {
		q.late++
	}
	if !q.standing && wait > q.burst && q.n >= minStanding {
		// A burst longer than a burst: the queue stands now, not at the
		// end of the interval, so that the requests behind this one are
		// answered at once rather than after the burst's wait.
		q.standing, changed, late, n = true, true, q.late, q.n
	}
	limit := q.burst
	if q.standing {
		limit = q.target
	}
	standing := q.standing
	q.mu.Unlock()
	if changed {
		q.isStand.Store(standing)
		if q.onChange != nil {
			q.onChange(standing, late, n)
		}
	}
	if wait > limit {
		q.shedded.Add(1)
		return true
	}
	return false
}
