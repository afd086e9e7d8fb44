package server

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// fakeQueue drives a queueShedder with a set queue length and clock.
type fakeQueue struct {
	n float64
	t time.Time
}

func newFakeShedder(perCore int) (*queueShedder, *fakeQueue) {
	f := &fakeQueue{t: time.Unix(1e9, 0)}
	q := newQueueShedder(perCore)
	q.count = func() float64 { return f.n }
	q.now = func() time.Time { return f.t }
	return q, f
}

// sheds runs k requests spread over d and counts the 429s.
func sheds(q *queueShedder, f *fakeQueue, k int, d time.Duration) int {
	shed := 0
	for range k {
		f.t = f.t.Add(d / time.Duration(k))
		if q.shed() {
			shed++
		}
	}
	return shed
}

func TestQueueShedderThresholds(t *testing.T) {
	q, f := newFakeShedder(8)
	p := float64(runtime.GOMAXPROCS(0))
	if q.low != 8*p || q.high != 24*p {
		t.Errorf("thresholds %v..%v, want %v..%v", q.low, q.high, 8*p, 24*p)
	}
	f.n = q.low
	if n := sheds(q, f, 1000, time.Second); n != 0 {
		t.Errorf("queue at the low threshold: %d of 1000 shed", n)
	}
	f.n = q.high
	sheds(q, f, 100, 2*shedInterval) // the queue stands
	if n := sheds(q, f, 100, shedInterval/2); n != 100 {
		t.Errorf("standing queue at the high threshold: %d of 100 shed, want all", n)
	}
	f.n = (q.low + q.high) / 2
	sheds(q, f, 100, 2*shedInterval)
	if n := sheds(q, f, 1000, shedInterval/2); n < 350 || n > 650 {
		t.Errorf("standing queue halfway: %d of 1000 shed, want about half", n)
	}
	f.n = 0
	if q.shed() {
		t.Error("shed although the queue is empty now")
	}
	if runnable() < 0 {
		t.Error("runnable goroutines negative")
	}
}

func TestQueueShedderIgnoresBursts(t *testing.T) {
	q, f := newFakeShedder(8)
	// A burst: the queue is long, then drains within the interval.
	for i := range 10 {
		f.n = q.high * 2
		if i%2 == 1 {
			f.n = 0
		}
		if n := sheds(q, f, 50, shedInterval/4); n != 0 {
			t.Fatalf("burst %d: %d shed, want none", i, n)
		}
	}
	// Idle for a while, then a long queue at once: not yet standing.
	f.t = f.t.Add(time.Minute)
	f.n = q.high * 2
	if n := sheds(q, f, 50, shedInterval/2); n != 0 {
		t.Errorf("a fresh queue shed %d at once, want none until it stands", n)
	}
}

func TestQueueSheddingAnswers429(t *testing.T) {
	a := newAdmission(4, 0)
	q, f := newFakeShedder(1)
	a.queue = q
	f.n = 1e6
	sheds(q, f, 10, 2*shedInterval)
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		method string
		want   int
	}{{"POST", 429}, {"GET", 200}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/v1/verify", nil))
		if rec.Code != tt.want {
			t.Errorf("%s with a standing queue = %d, want %d", tt.method, rec.Code, tt.want)
		}
		if tt.want == 429 && rec.Header().Get("Retry-After") != "1" {
			t.Errorf("429 without Retry-After: %v", rec.Header())
		}
	}
}
