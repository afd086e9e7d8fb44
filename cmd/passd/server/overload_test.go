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
		if q.shed(c.t.Add(-wait), 0) {
			n++
		}
	}
	return n
}

func TestSojournShedder(t *testing.T) {
	const target, burst = 2 * time.Millisecond, 20 * time.Millisecond
	newQ := func() (*sojournShedder, *fakeClock) {
		c := &fakeClock{t: time.Unix(1e9, 0)}
		return newSojournShedder(target, burst, c.now), c
	}
	t.Run("unknown arrival", func(t *testing.T) {
		q, _ := newQ()
		for range 100 {
			if q.shed(time.Time{}, 0) {
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
	t.Run("burst after quiet", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 100, time.Second, 0)
		// The burst starts an interval and drains within it.
		c.t = c.t.Add(2 * shedInterval)
		if n := sheds(q, c, 50, shedInterval/2, burst/2); n != 0 {
			t.Errorf("a burst waiting %v: %d of 50 shed, want none", burst/2, n)
		}
		if n := sheds(q, c, 10, shedInterval/10, 2*burst); n != 10 {
			t.Errorf("waits over the burst limit: %d of 10 shed, want all", n)
		}
	})
	t.Run("standing queue", func(t *testing.T) {
		q, c := newQ()
		// One interval in which a tenth wait over the target...
		for i := range 100 {
			wait := target / 2
			if i%10 == 0 {
				wait = 3 * target
			}
			sheds(q, c, 1, shedInterval/100, wait)
		}
		// ...makes the next shed every request that waits over it.
		c.t = c.t.Add(time.Millisecond)
		if n := sheds(q, c, 50, shedInterval/2, 2*target); n != 50 {
			t.Errorf("standing queue, waits of 2 x target: %d of 50 shed, want all", n)
		}
		if n := sheds(q, c, 50, shedInterval/4, target/2); n != 0 {
			t.Errorf("standing queue, waits under target: %d of 50 shed, want none", n)
		}
		// A calm interval (the ones just now) ends the standing queue.
		c.t = c.t.Add(shedInterval)
		sheds(q, c, 100, shedInterval, 0)
		if n := sheds(q, c, 20, shedInterval/2, burst/2); n != 0 {
			t.Errorf("after a calm interval: %d of 20 shed, want none", n)
		}
	})
	t.Run("few late requests", func(t *testing.T) {
		q, c := newQ()
		// Ten requests in an interval, all late: a stall, not a queue...
		sheds(q, c, 10, shedInterval, 3*target)
		c.t = c.t.Add(time.Millisecond)
		// ...so the next wait over the target but under the burst limit
		// is verified.
		if n := sheds(q, c, 10, shedInterval/2, 2*target); n != 0 {
			t.Errorf("after an interval of ten late requests: %d of 10 shed, want none", n)
		}
	})
	t.Run("burst over the limit", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 19, shedInterval/10, 0)
		// The first wait over the burst limit, among enough requests,
		// makes the queue stand at once: those behind it that wait over
		// the target, not the burst limit, are shed in the same interval.
		if n := sheds(q, c, 1, time.Millisecond, 2*burst); n != 1 || !q.isStand.Load() {
			t.Fatalf("a wait over the burst limit: shed %d, standing %v; want it shed and the queue standing", n, q.isStand.Load())
		}
		if n := sheds(q, c, 10, time.Millisecond, 2*target); n != 10 {
			t.Errorf("behind it, waits of 2 x target: %d of 10 shed, want all", n)
		}
	})
	t.Run("requests ahead", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 100, shedInterval, 5*target) // standing
		c.t = c.t.Add(time.Millisecond)
		// A request read at once still waits for those admitted ahead.
		if q.shed(c.t, 2*target) != true || q.shed(c.t, target/2) != false {
			t.Error("the wait of the requests ahead is not counted")
		}
	})
	t.Run("quiet gap", func(t *testing.T) {
		q, c := newQ()
		sheds(q, c, 100, shedInterval, 5*target) // standing
		c.t = c.t.Add(time.Minute)
		if n := sheds(q, c, 20, shedInterval/2, burst/2); n != 0 {
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
		q.shed(arrived, 0)
	}
}

func TestWaitHist(t *testing.T) {
	var h waitHist
	if h.quantile(0.99) != 0 || h.count() != 0 || h.most() != 0 {
		t.Fatal("an empty histogram has a quantile")
	}
	for range 98 {
		h.add(300 * time.Microsecond) // bucket up to 512 µs
	}
	h.add(3 * time.Millisecond) // up to 4.096 ms
	if got := h.most(); got != 4.096 {
		t.Errorf("most = %v ms, want 4.096", got)
	}
	h.add(time.Hour) // the last bucket
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
