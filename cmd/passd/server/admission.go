package server

import (
	"net/http"
	"strconv"
	"time"

	"passdesk/cmd/passd/api"
)

// admission bounds the requests in flight. A request that finds every
// slot taken is answered 429 at once instead of waiting: a queue would only
// make every answer late, which is how the 2021 servers collapsed.
type admission struct {
	slots      chan struct{}
	retryAfter string // whole seconds
	body       []byte // the 429 answer, made once
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

// wrap admits a request to h when a slot is free.
func (a *admission) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case a.slots <- struct{}{}:
		default:
			w.Header().Set("Retry-After", a.retryAfter)
			writeJSONBytes(w, http.StatusTooManyRequests, a.body)
			return
		}
		defer func() { <-a.slots }()
		h.ServeHTTP(w, r)
	})
}

// inFlight is the number of requests being served.
func (a *admission) inFlight() int { return len(a.slots) }
