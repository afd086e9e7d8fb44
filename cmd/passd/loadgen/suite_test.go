package loadgen_test

import (
	"math"
	"testing"
	"time"

	"passdesk/cmd/passd/loadgen"
)

// TestSaturatedBrackets: the overload run is weighed against the mean of
// the saturation runs before and after it, its CPU figures against both
// runs' sums; without the run after, against the one before.
func TestSaturatedBrackets(t *testing.T) {
	var s loadgen.SuiteResult
	s.Saturation = loadgen.Result{Goodput: 4000, OK: 20000, ServerCPU: 5 * time.Second}
	s.Overload = loadgen.Result{Goodput: 2700, OK: 27000, ServerCPU: 10 * time.Second}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("ratio, before only", s.GoodputRatio(), 2700.0/4000)
	near("per CPU, before only", s.CPUGoodputRatio(), 2700.0/4000)
	if c := s.VerifyCost(); c != 250*time.Microsecond {
		t.Errorf("verify cost, before only = %v, want 250µs", c)
	}

	s.After = loadgen.Result{Goodput: 2000, OK: 10000, ServerCPU: 5 * time.Second}
	if g, ok, cpu := s.Saturated(); g != 3000 || ok != 30000 || cpu != 10*time.Second {
		t.Errorf("Saturated() = %v, %d, %v; want 3000, 30000, 10s", g, ok, cpu)
	}
	near("ratio, bracketed", s.GoodputRatio(), 0.9)
	near("per CPU, bracketed", s.CPUGoodputRatio(), 0.9)
	if c := s.VerifyCost(); c != time.Second/3000 {
		t.Errorf("verify cost, bracketed = %v, want %v", c, time.Second/3000)
	}
	s.SlowStats.Clients = 1000
	s.WithSlow = loadgen.Result{Goodput: 2850}
	near("slow change", s.SlowChange(), -0.05)
}
