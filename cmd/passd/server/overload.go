package server

import (
	"math/rand/v2"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// sojournShedder decides from how long requests have waited whether to
// turn a request away.
//
// A verification is pure CPU. When more arrive than the cores can
// verify, the queue forms before any handler runs, among connections
// whose requests wait in the socket and the Go scheduler to be read; a
// count of requests in handlers never sees it. The kernel stamps each
// segment as it arrives (see listener), so the time from that stamp to
// the moment the request is read is its sojourn in that queue.
//
// Turning away every request that waited too long does not work: the
// service reads a crowd of waiting connections in one round, and while it
// answers 429 to the first ones the others wait too, so at three times
// its capacity nearly everything is late and nearly nothing verified. So,
// as CoDel does, the shedder controls a rate: every tick in which more
// than one request in ten waited longer than target raises the share of
// requests answered 429 (whatever their own wait), every tick with fewer
// than one in twenty lowers it. The share settles where the service
// verifies what its cores can and refuses the rest at the cost of a read
// and a write, and the queue stays about target long. A short burst
// (a crowd of kiosks waking at once) is verified. A request that waited
// longer than burst is always refused: it is late for anyone.
type sojournShedder struct {
	target, burst time.Duration
	now           func() time.Time
	idle          func() float64 // CPU seconds the Go scheduler had nothing to run
	// onChange, when set, hears when shedding starts or stops, with the
	// tick's late and total requests.
	onChange func(shedding bool, late, n int)
	shedded  atomic.Int64 // requests turned away
	isStand  atomic.Bool  // shedding, for the health check

	mu       sync.Mutex
	start    time.Time // of the current tick
	n, late  int       // requests in it, and those that waited over target
	share    float64   // of requests to turn away
	idleSecs float64   // idle() at the start of the tick
}

// shedTick is how often the share is adjusted, shedUp and shedDown by how
// much: from none to two thirds (three times capacity) in 140 ms, and
// back in 340 ms.
const (
	shedTick = 10 * time.Millisecond
	shedUp   = 0.05
	shedDown = 0.02
	shedMax  = 0.99
)

func newSojournShedder(target, burst time.Duration, now func() time.Time) *sojournShedder {
	if burst < target {
		burst = target
	}
	return &sojournShedder{target: target, burst: burst, now: now, idle: schedIdle}
}

// schedIdle is the CPU time the Go scheduler's processors have had
// nothing to run: a wait that is not the service's own backlog (the
// machine gave the process no CPU) leaves it unchanged.
func schedIdle() float64 {
	s := [1]metrics.Sample{{Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(s[:])
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// shed says whether to turn away a request that arrived at arrived (zero:
// not known, never shed).
func (q *sojournShedder) shed(arrived time.Time) bool {
	if arrived.IsZero() {
		return false
	}
	now := q.now()
	wait := now.Sub(arrived)
	q.mu.Lock()
	changed, late, n := false, 0, 0
	if since := now.Sub(q.start); since >= shedTick {
		was := q.share > 0
		idle := q.idle()
		spare := idle-q.idleSecs > 0.05*since.Seconds()
		q.idleSecs = idle
		switch {
		case spare:
			// The cores had time to spare: whatever waited, it was
			// not behind this service's own work.
			q.share = max(q.share-shedDown, 0)
		case q.late*10 > q.n:
			q.share = min(q.share+shedUp, shedMax)
		case q.late*20 < q.n:
			q.share = max(q.share-shedDown, 0)
		}
		// Quiet ticks without a request lower it too.
		if idle := int(since/shedTick) - 1; idle > 0 {
			q.share = max(q.share-float64(idle)*shedDown, 0)
		}
		changed, late, n = (q.share > 0) != was, q.late, q.n
		q.start, q.n, q.late = now, 0, 0
	}
	q.n++
	if wait > q.target {
		q.late++
	}
	share := q.share
	q.mu.Unlock()
	if changed {
		q.isStand.Store(share > 0)
		if q.onChange != nil {
			q.onChange(share > 0, late, n)
		}
	}
	if wait > q.burst || (share > 0 && rand.Float64() < share) {
		q.shedded.Add(1)
		return true
	}
	return false
}
