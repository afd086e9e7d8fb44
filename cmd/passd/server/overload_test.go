package server

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

func TestQueueShedder(t *testing.T) {
	q := newQueueShedder(8)
	p := float64(runtime.GOMAXPROCS(0))
	if q.low != 8*p || q.high != 24*p {
		t.Errorf("thresholds %v..%v, want %v..%v", q.low, q.high, 8*p, 24*p)
	}
	var n float64
	q.count = func() float64 { return n }
	n = q.low
	for range 100 {
		if q.shed() {
			t.Fatal("shed at the low threshold")
		}
	}
	n = q.high
	for range 100 {
		if !q.shed() {
			t.Fatal("admitted at the high threshold")
		}
	}
	n = (q.low + q.high) / 2
	shed := 0
	for range 1000 {
		if q.shed() {
			shed++
		}
	}
	if shed < 350 || shed > 650 {
		t.Errorf("halfway between the thresholds %d of 1000 shed, want about half", shed)
	}
	if runnable() < 0 {
		t.Error("runnable goroutines negative")
	}
}

func TestQueueSheddingAnswers429(t *testing.T) {
	a := newAdmission(4, 0)
	a.queue = newQueueShedder(1)
	a.queue.count = func() float64 { return 1e6 }
	h := a.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		method string
		want   int
	}{{"POST", 429}, {"GET", 200}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/v1/verify", nil))
		if rec.Code != tt.want {
			t.Errorf("%s with a long run queue = %d, want %d", tt.method, rec.Code, tt.want)
		}
	}
}
