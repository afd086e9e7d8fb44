package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"passdesk/api"
)

// admission decides which requests get a handler. For a POST, in order
// of cost: a request that waited too long for the CPU is answered 429 at
// once (sojournShedder); then its body, capped, is read under a deadline
// of its own, so that a client sending it a byte at a time holds only its
// own connection; then it takes one of a bounded number of slots, or is
// answered 429. A queue would only make every answer late, which is how
// the 2021 servers collapsed.
type admission struct {
	slots       chan struct{}
	retryAfter  string       // whole seconds
	body        []byte       // the 429 answer's body, made once
	raw         rawAnswer    // the whole 429 answer, for the front door
	doorShed    atomic.Int64 // requests the front door turned away
	swept       atomic.Int64 // of those, requests the sweeper turned away
	queue       *sojournShedder
	bodyTimeout time.Duration
	// shedWait, servedWait and healthWait are how long 429s, admitted
	// POSTs and health checks took from arrival to answer, when the
	// arrival is known.
	shedWait, servedWait, healthWait waitHist
	// ahead counts the requests the sweeper admitted that still wait on
	// their sockets, and cost is the mean time in ns between two
	// verifications' ends while the service is busy: together, the wait
	// ahead of a request read now (backlog). Time between ends, not a
	// handler's own time: that includes waits for the database, while
	// other requests use the CPU. sweep, when set, reads the waiting
	// connections before each POST.
	ahead    atomic.Int64
	cost     atomic.Int64
	lastDone atomic.Int64 // Unix ns of the last verification's end
	sweep    *sweeper
	// health, when set, is the health check's JSON body, for the front
	// door to answer it; healthSwept is when, in Unix ns, the sweeper
	// last looked for health checks while no queue stood.
	health      func() []byte
	healthSwept atomic.Int64
}

// healthSweepEvery is how often, while no queue stands, a verification
// first lets the sweeper answer the health checks that wait: the
// scheduler readies a connection's goroutine only when it has nothing
// else to run, or when its monitor looks (every 10 ms) and then from its
// global queue, served once in 61 rounds. A look costs an epoll_wait and
// a peek at each connection that has had data since.
const healthSweepEvery = 2 * time.Millisecond

// sweepDue says whether the sweeper should look at the waiting
// connections before a verification: always while a queue stands, and
// every healthSweepEvery for the health checks otherwise.
func (a *admission) sweepDue() bool {
	if a.sweep == nil || a.queue == nil {
		return false
	}
	if a.queue.isStand.Load() {
		return true
	}
	if a.health == nil {
		return false
	}
	now, last := time.Now().UnixNano(), a.healthSwept.Load()
	return now-last >= int64(healthSweepEvery) && a.healthSwept.CompareAndSwap(last, now)
}

// backlog is how long the requests admitted and not yet begun will take.
func (a *admission) backlog() time.Duration {
	return time.Duration(max(a.ahead.Load(), 0) * a.cost.Load())
}

// busyGap is the longest time between two verifications' ends that
// counts towards cost: a longer one is a pause in the load.
const busyGap = 20 * time.Millisecond

// noteDone notes a verification's end at now, folding the time since the
// last into cost, a mean over about the last 16.
func (a *admission) noteDone(now time.Time) {
	last := a.lastDone.Swap(now.UnixNano())
	if d := now.UnixNano() - last; last != 0 && d >= 0 && d < int64(busyGap) {
		c := a.cost.Load()
		a.cost.Store(c + (d-c)/16)
	}
}

func newAdmission(limit int, retryAfter, bodyTimeout time.Duration) *admission {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	a := &admission{
		slots:       make(chan struct{}, limit),
		retryAfter:  strconv.Itoa(secs),
		bodyTimeout: bodyTimeout,
		body: []byte(`{"error":"the service is at capacity; retry after ` + strconv.Itoa(secs) +
			` s","reason":"` + api.ReasonOverloaded + `"}`),
	}
	a.raw.body, a.raw.retryAfter = string(a.body), a.retryAfter
	return a
}

// bodyRate is the slowest upload a body deadline allows for, beyond
// bodyTimeout: a 1 MiB entries batch has 8 s more.
const bodyRate = 128 << 10 // bytes per second

// wrap admits requests to h.
func (a *admission) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			arrived, judged := arrivalOf(r.Context())
			if a.queue != nil && !judged && a.queue.shed(arrived, a.backlog()) {
				a.reject(w)
				if !arrived.IsZero() {
					a.shedWait.add(time.Since(arrived))
				}
				return
			}
			if err := a.readBody(w, r); err != nil {
				writeJSON(w, http.StatusRequestTimeout, api.Error{Error: err.Error(), Reason: api.ReasonBadRequest})
				return
			}
			if !arrived.IsZero() {
				defer func() { a.servedWait.add(time.Since(arrived)) }()
			}
		}
		select {
		case a.slots <- struct{}{}:
		default:
			a.reject(w)
			return
		}
		defer func() { <-a.slots }()
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		if a.sweepDue() {
			// Answer the refusals and health checks that have come since
			// the last look before this verification, not after the
			// scheduler's round.
			a.sweep.sweep()
		}
		h.ServeHTTP(w, r)
		if r.URL.Path == api.PathVerify {
			a.noteDone(time.Now())
		}
	})
}

// readBody reads r's body, up to its path's limit and one byte more (the
// handler then answers 413), under a deadline, and puts it back as a
// reader for the handler.
func (a *admission) readBody(w http.ResponseWriter, r *http.Request) error {
	limit := int64(smallBodyLimit)
	if r.URL.Path == api.PathEntries {
		limit = batchBodyLimit
	}
	if r.ContentLength > limit {
		return nil // the handler refuses it without reading
	}
	size := max(r.ContentLength, 0)
	d := a.bodyTimeout + time.Duration(size)*time.Second/bodyRate
	rc := http.NewResponseController(w)
	// A server without a deadline of its own (a test's httptest server)
	// still gets this one: SetReadDeadline errors only when it cannot.
	rc.SetReadDeadline(time.Now().Add(d))
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size))
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		w.Header().Set("Connection", "close")
		return errorf(http.StatusRequestTimeout, api.ReasonBadRequest,
			"the request body did not arrive within %v", d.Round(100*time.Millisecond))
	}
	// The body is in; the handler's time is the write timeout's business.
	rc.SetReadDeadline(time.Time{})
	r.Body = io.NopCloser(&buf)
	if err != nil {
		// A broken body: the handler's read says so.
		r.Body = io.NopCloser(io.MultiReader(&buf, errReader{err}))
	}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (a *admission) reject(w http.ResponseWriter) {
	w.Header().Set("Retry-After", a.retryAfter)
	writeJSONBytes(w, http.StatusTooManyRequests, a.body)
}

// inFlight is the number of requests being served.
func (a *admission) inFlight() int { return len(a.slots) }
