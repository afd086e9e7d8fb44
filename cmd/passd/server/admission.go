package server

import (
	"net/http"
	"strconv"
	"time"

	"passdesk/api"
)

// admission bounds the requests in flight. A request that finds every
// slot taken is answered 429 at once instead of waiting: a queue would only
// make every answer late, which is how the 2021 servers collapsed.
type admission struct {
	slots      chan struct{}
	retryAfter string        // whole seconds
	body       []byte        // the 429 answer, made once
	queue      *queueShedder // nil: no shedding by run queue length
}

func newAdmission(limit int, retryAfter time.Duration) *admission {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return &admission{
		slots:      make(chan struct{}, limit),
		retryAfter: strconv.Itoa(secs),
		body: []byte(`{"error":"the service is at capacity; retry after ` + strconv.Itoa(secs) +
			` s","reason":"` + api.ReasonOverloaded + `"}`),
	}
}

// wrap admits a request to h when a slot is free and, for a request that
// costs CPU (a POST), when the run queue does not say the server is
// behind.
func (a *admission) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.queue != nil && r.Method == http.MethodPost && a.queue.shed() {
			a.reject(w)
			return
		}
		select {
		case a.slots <- struct{}{}:
		default:
			a.reject(w)
			return
		}
		defer func() { <-a.slots }()
		h.ServeHTTP(w, r)
	})
}

func (a *admission) reject(w http.ResponseWriter) {
	w.Header().Set("Retry-After", a.retryAfter)
	writeJSONBytes(w, http.StatusTooManyRequests, a.body)
}

// inFlight is the number of requests being served.
func (a *admission) inFlight() int { return len(a.slots) }
