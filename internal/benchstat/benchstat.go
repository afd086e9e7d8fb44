// Package benchstat holds the figures PassDesk's benchmarks print from
// the durations they measure, so that every table computes them alike.
package benchstat

import (
	"slices"
	"time"
)

// Percentile is the p-th percentile (0 to 100) of d, nearest rank from
// below; 100 is the largest. d is left as it was; none gives 0.
func Percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
