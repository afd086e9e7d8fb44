package loadgen

import (
	"context"
	"fmt"
	"io"
	"time"
)

// SuiteConfig is the three-part load test.
type SuiteConfig struct {
	URL    string
	Bodies func() []byte
	// Concurrency of the saturation run (default 16).
	Concurrency int
	// Durations of the three runs (defaults 5 s, 5 s, 10 s).
	Saturation, Half, Overload time.Duration
	// Progress, when set, gets a line per finished run.
	Progress io.Writer
}

// SuiteResult holds the three runs.
type SuiteResult struct {
	Saturation Result // closed loop
	Half       Result // open loop at half the saturation throughput
	Overload   Result // open loop at three times the saturation throughput
}

// GoodputRatio is the overload run's goodput over the saturation
// throughput: how much of its capacity the service keeps delivering when
// offered three times too much.
func (s SuiteResult) GoodputRatio() float64 {
	if s.Saturation.Goodput == 0 {
		return 0
	}
	return s.Overload.Goodput / s.Saturation.Goodput
}

// Suite measures the saturation throughput, then latency at half of it,
// then behaviour when offered three times it.
func Suite(ctx context.Context, cfg SuiteConfig) (SuiteResult, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Saturation <= 0 {
		cfg.Saturation = 5 * time.Second
	}
	if cfg.Half <= 0 {
		cfg.Half = 5 * time.Second
	}
	if cfg.Overload <= 0 {
		cfg.Overload = 10 * time.Second
	}
	var s SuiteResult
	var err error
	report := func(name string, r Result) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%-10s %v\n", name, r)
		}
	}
	run := func(rate float64, conc int, d time.Duration) (Result, error) {
		// A pause lets the previous run's connections and goroutines go.
		time.Sleep(500 * time.Millisecond)
		return Run(ctx, Config{URL: cfg.URL, Bodies: cfg.Bodies, Rate: rate, Concurrency: conc, Duration: d})
	}
	if s.Saturation, err = run(0, cfg.Concurrency, cfg.Saturation); err != nil {
		return s, err
	}
	report("saturation", s.Saturation)
	if s.Saturation.Goodput <= 0 {
		return s, fmt.Errorf("loadgen: no request succeeded at saturation (%s)", s.Saturation.FirstError)
	}
	if s.Half, err = run(s.Saturation.Goodput/2, 0, cfg.Half); err != nil {
		return s, err
	}
	report("half", s.Half)
	if s.Overload, err = run(s.Saturation.Goodput*3, 0, cfg.Overload); err != nil {
		return s, err
	}
	report("3x", s.Overload)
	return s, nil
}
