package server

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// waitHist counts how long requests took from their arrival at the
// kernel to passd's answer, in buckets that double from 1 µs: the
// service's own view of its latency, apart from any client's.
type waitHist struct{ n [28]atomic.Int64 }

func (h *waitHist) add(d time.Duration) {
	us := uint64(max(d, 0) / time.Microsecond)
	h.n[min(bits.Len64(us), len(h.n)-1)].Add(1)
}

// quantile is the upper bound of the bucket holding quantile q, in
// milliseconds, or 0 with no count.
func (h *waitHist) quantile(q float64) float64 {
	var counts [len(h.n)]int64
	var total int64
	for i := range h.n {
		counts[i] = h.n[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := int64(q * float64(total))
	var seen int64
	for i, c := range counts {
		seen += c
		if seen > rank {
			return float64(uint64(1)<<i) / 1000
		}
	}
	return float64(uint64(1)<<(len(h.n)-1)) / 1000
}

// most is the upper bound of the highest bucket with a count, in
// milliseconds, or 0 with none.
func (h *waitHist) most() float64 {
	for i := len(h.n) - 1; i >= 0; i-- {
		if h.n[i].Load() > 0 {
			return float64(uint64(1)<<i) / 1000
		}
	}
	return 0
}

// count is how many were added.
func (h *waitHist) count() int64 {
	var t int64
	for i := range h.n {
		t += h.n[i].Load()
	}
	return t
}
