package server

import (
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// queueShedder sheds load by the length of the Go scheduler's run queue.
//
// The admission limit counts requests inside handlers, but a verification
// is pure CPU: a handler, once running, finishes in a fraction of a
// millisecond, so the handlers in flight hardly exceed the cores, and the
// queue forms before them, among connection goroutines whose requests
// wait to be read. The runtime counts those: runnable goroutines. Each is
// at most one request's work, so their number per core bounds how long a
// request now arriving will wait.
//
// As in CoDel, only a standing queue counts: one that has not drained
// below low at any moment of the last interval. A burst (the machine
// paused the process, a crowd of kiosks woke at once) drains by itself
// and sheds nothing. Above low a share of new requests is answered 429,
// rising to all of them at high, so the queue stays short and the
// admitted requests fast.
type queueShedder struct {
	low, high float64 // runnable goroutines, for all cores
	count     func() float64
	now       func() time.Time

	mu       sync.Mutex
	start    time.Time // of the current interval
	curMin   float64   // smallest queue seen in the current interval
	standing float64   // smallest queue of the last full interval
}

// shedInterval is how long a queue must stand before it sheds.
const shedInterval = 100 * time.Millisecond

// runnableMetric is read on every POST; reading it costs about 100 ns.
const runnableMetric = "/sched/goroutines/runnable:goroutines"

func newQueueShedder(perCore int) *queueShedder {
	p := float64(runtime.GOMAXPROCS(0))
	return &queueShedder{low: float64(perCore) * p, high: 3 * float64(perCore) * p, count: runnable, now: time.Now}
}

// runnable is the number of goroutines ready to run but not running.
func runnable() float64 {
	s := [1]metrics.Sample{{Name: runnableMetric}}
	metrics.Read(s[:])
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

// shed says whether to turn this request away.
func (q *queueShedder) shed() bool {
	n := q.count()
	now := q.now()
	q.mu.Lock()
	switch since := now.Sub(q.start); {
	case since >= 2*shedInterval:
		// No request for a whole interval: nothing was standing.
		q.start, q.curMin, q.standing = now, n, 0
	case since >= shedInterval:
		q.start, q.standing, q.curMin = now, q.curMin, n
	case n < q.curMin:
		q.curMin = n
	}
	level := min(n, q.standing)
	q.mu.Unlock()
	switch {
	case level <= q.low:
		return false
	case level >= q.high:
		return true
	}
	return rand.Float64() < (level-q.low)/(q.high-q.low)
}
