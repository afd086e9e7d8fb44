package server

import (
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
)

// queueShedder sheds load by the length of the Go scheduler's run queue.
//
// The admission limit counts requests inside handlers, but a verification
// is pure CPU: a handler, once running, finishes in a fraction of a
// millisecond, so the handlers in flight hardly exceed the cores, and the
// queue forms before them, among connection goroutines whose requests
// wait to be read. The runtime counts those: runnable goroutines. Each is
// at most one request's work, so their number per core bounds how long a
// request now arriving will wait. Above low per core a share of new
// requests is answered 429, rising to all of them at high, so the queue
// stays short and both the admitted answers and the 429s come fast,
// while a machine merely busy with other processes sheds nothing.
type queueShedder struct {
	low, high float64 // runnable goroutines, for all cores
	count     func() float64
}

// runnableMetric is read on every POST; reading it costs about 100 ns.
const runnableMetric = "/sched/goroutines/runnable:goroutines"

func newQueueShedder(perCore int) *queueShedder {
	p := float64(runtime.GOMAXPROCS(0))
	return &queueShedder{low: float64(perCore) * p, high: 3 * float64(perCore) * p, count: runnable}
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
	switch {
	case n <= q.low:
		return false
	case n >= q.high:
		return true
	}
	return rand.Float64() < (n-q.low)/(q.high-q.low)
}
