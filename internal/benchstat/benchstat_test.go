package benchstat

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	d := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, c := range []struct {
		p    int
		want time.Duration
	}{{0, 1}, {50, 6}, {99, 10}, {100, 10}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%d = %d, want %d", c.p, got, c.want)
		}
	}
	if d[0] != 5 {
		t.Errorf("the durations were sorted in place: %v", d)
	}
	if Percentile(nil, 50) != 0 {
		t.Error("no durations: not 0")
	}
	if Ms(1500*time.Microsecond) != 1.5 {
		t.Errorf("Ms(1.5 ms) = %v", Ms(1500*time.Microsecond))
	}
}
