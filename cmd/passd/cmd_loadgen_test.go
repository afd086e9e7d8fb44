package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"passdesk/cmd/passd/loadgen"
)

func TestPrintMedians(t *testing.T) {
	run := func(sat, over float64, p99 time.Duration) loadgen.SuiteResult {
		var s loadgen.SuiteResult
		s.Saturation.Goodput, s.Overload.Goodput = sat, over
		s.Overload.RejectLatency.P99 = p99
		s.PeakRSS = 40 << 20
		return s
	}
	var b bytes.Buffer
	printMedians(&b, []loadgen.SuiteResult{
		run(5000, 4000, 3*time.Millisecond), run(4000, 2000, 9*time.Millisecond), run(6000, 3000, 5*time.Millisecond),
	})
	out := b.String()
	for _, want := range []string{
		"medians of 3 runs",
		"saturated                    5000/s (4000 to 6000)",
		"3x goodput / saturated       0.50 (0.50 to 0.80)",
		"3x 429 p99                   5.00 ms (3.00 to 9.00)",
		"peak RSS                     40.0 MiB (40.0 to 40.0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("medians lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "slow clients") {
		t.Errorf("medians of runs without slow clients name them:\n%s", out)
	}
}
