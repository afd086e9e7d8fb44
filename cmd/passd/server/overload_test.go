package server

import (
	"testing"
	"time"
)

// fakeClock drives a sojournShedder.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// sheds offers k requests spread over d, each having waited wait, and
// counts the 429s.
func sheds(q *sojournShedder, c *fakeClock, k int, d, wait time.Duration) int {
	n := 0
	for range k {
		c.t = c.t.Add(d / time.Duration(k))
		if q.shed(c.t.Add(-wait)) {
			n++
		}
	}
	return n
}

func TestSojournShedder(t *testing.T) {
	const target, burst = 2 * time.Millisecond, 20 * time.Millisecond
	// idle is the fake scheduler's idle CPU seconds: unchanged, the
	// cores never have time to spare.
	var idle float64
	newQ := func() (*sojournShedder, *fakeClock) {
		c := &fakeClock{t: time.Unix(1e9, 0)}
		q := newSojournShedder(target, burst, c.now)
		q.idle = func() float64 { return idle }
		return q, c
	}
	t.Run("unknown arrival", func(t *testing.T) {
		q, _ := newQ()
		for range 100 {
			if q.shed(time.Time{}) {
				t.Fatal("shed a request whose arrival is not known")
			}
		}
	})
	t.Run("short waits", func(t *testing.T) {
		q, c := newQ()
		if n := sheds(q, c, 5000, time.Second, target); n != 0 {
			t.Errorf("%d of 5000 shed that waited the target, want none", n)
		}
	})
	t.Run("short burst", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 100, time.Second, 0)
		if n := sheds(q, c, 50, shedTick/2, burst/2); n != 0 {
			t.Errorf("a burst of %v waiting %v: %d of 50 shed, want none", shedTick/2, burst/2, n)
		}
		if n := sheds(q, c, 10, shedTick/10, 2*burst); n != 10 {
			t.Errorf("waits over the burst limit: %d of 10 shed, want all", n)
		}
	})
	t.Run("standing queue", func(t *testing.T) {
		q, c := newQ()
		first := sheds(q, c, 30, 30*time.Millisecond, 2*target)
		sheds(q, c, 200, 200*time.Millisecond, 2*target)
		last := sheds(q, c, 100, 100*time.Millisecond, 2*target)
		if first > 10 || last < 80 {
			t.Errorf("a queue standing 330 ms: %d of the first 30 shed and %d of the last 100, want few, then most", first, last)
		}
		// Requests that no longer wait bring the share down to none.
		sheds(q, c, 600, 600*time.Millisecond, 0)
		if n := sheds(q, c, 100, 100*time.Millisecond, 0); n != 0 {
			t.Errorf("after 600 ms without waits: %d of 100 shed, want none", n)
		}
	})
	t.Run("spare CPU", func(t *testing.T) {
		q, c := newQ()
		// Every request waits, but the scheduler was idle half of each
		// tick: the waits are the machine's, not a backlog to shed.
		n := 0
		for range 300 {
			idle += shedTick.Seconds() / 20
			n += sheds(q, c, 1, time.Millisecond, 2*target)
		}
		if n != 0 {
			t.Errorf("waits with spare CPU: %d of 300 shed, want none", n)
		}
	})
	t.Run("quiet gap", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 300, 300*time.Millisecond, 2*target)
		c.t = c.t.Add(time.Minute)
		if n := sheds(q, c, 20, shedTick/2, target/2); n != 0 {
			t.Errorf("after a quiet minute: %d of 20 shed, want none", n)
		}
	})
}

// BenchmarkShedDecision is what deciding costs a request, beside the
// 20-40 µs of reading and answering it.
func BenchmarkShedDecision(b *testing.B) {
	q := newSojournShedder(2*time.Millisecond, 20*time.Millisecond, time.Now)
	arrived := time.Now()
	for b.Loop() {
		q.shed(arrived)
	}
}

func TestWaitHist(t *testing.T) {
	var h waitHist
	if h.quantile(0.99) != 0 || h.count() != 0 {
		t.Fatal("an empty histogram has a quantile")
	}
	for range 98 {
		h.add(300 * time.Microsecond) // bucket up to 512 µs
	}
	h.add(3 * time.Millisecond) // up to 4.096 ms
	h.add(time.Hour)            // the last bucket
	if got := h.quantile(0.5); got != 0.512 {
		t.Errorf("p50 = %v ms, want 0.512", got)
	}
	if got := h.quantile(0.985); got != 4.096 {
		t.Errorf("p98.5 = %v ms, want 4.096", got)
	}
	if got := h.quantile(0.999); got < 1000 {
		t.Errorf("p99.9 = %v ms, want the last bucket", got)
	}
	if h.count() != 100 {
		t.Errorf("count %d, want 100", h.count())
	}
}
