package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// SuiteConfig is the load test.
type SuiteConfig struct {
	URL    string
	Bodies func() []byte
	// Concurrency of the saturation runs (default 4): enough to keep a
	// core busy from another core, few enough that the queue they make
	// stays under the service's shedding target.
	Concurrency int
	// Durations of the runs (defaults 5 s, 5 s, 10 s, 10 s).
	Saturation, Half, Overload, SlowRun time.Duration
	// Slow is how many slow clients (see StartSlow) join a second
	// saturation run; 0 skips it.
	Slow int
	// Health is how often GET /healthz is asked in every run (default
	// 50 ms).
	Health time.Duration
	// ServerPID, TLS and Header are as in Config.
	ServerPID int
	TLS       *tls.Config
	Header    string
	// Progress, when set, gets a line per finished run.
	Progress io.Writer
}

// SuiteResult holds the runs.
type SuiteResult struct {
	Concurrency int    // of the saturation runs
	Saturation  Result // closed loop
	Half        Result // open loop at half the saturation throughput
	Overload    Result // open loop at three times the saturation throughput
	After       Result // closed loop again, right after the overload run
	WithSlow    Result // closed loop again, beside SlowStats.Clients slow clients
	SlowStats   SlowStats
	// PeakRSS is the service's peak resident memory in bytes (VmHWM),
	// when ServerPID was given.
	PeakRSS int64
}

// Saturated is the saturation the other runs are weighed against: the
// mean goodput of the saturation runs before and after the overload run,
// and their 200 answers and service CPU summed, so that a machine that
// speeds up or slows down during the suite skews the ratios less. A
// suite without the run after has the one before alone.
func (s SuiteResult) Saturated() (goodput float64, ok int, serverCPU time.Duration) {
	b, a := s.Saturation, s.After
	if a.Goodput <= 0 {
		return b.Goodput, b.OK, b.ServerCPU
	}
	return (b.Goodput + a.Goodput) / 2, b.OK + a.OK, b.ServerCPU + a.ServerCPU
}

// GoodputRatio is the overload run's goodput over the saturation
// throughput (see Saturated): how much of its capacity the service keeps
// delivering when offered three times too much.
func (s SuiteResult) GoodputRatio() float64 {
	sat, _, _ := s.Saturated()
	if sat == 0 {
		return 0
	}
	return s.Overload.Goodput / sat
}

// SlowChange is the change of saturated goodput the slow clients caused
// (-0.05: 5% less).
func (s SuiteResult) SlowChange() float64 {
	sat, _, _ := s.Saturated()
	if sat == 0 || s.SlowStats.Clients == 0 {
		return 0
	}
	return s.WithSlow.Goodput/sat - 1
}

// VerifyCost is the service's CPU time per verification at saturation
// (see Saturated), everything included (network, HTTP, JSON,
// signatures); 0 without ServerPID.
func (s SuiteResult) VerifyCost() time.Duration {
	_, ok, cpu := s.Saturated()
	if cpu == 0 || ok == 0 {
		return 0
	}
	return cpu / time.Duration(ok)
}

// PerCPU is r's 200 answers per second of the service's CPU, and the
// saturation's (see Saturated); 0 without ServerPID.
func (s SuiteResult) PerCPU(r Result) (run, saturated float64) {
	_, ok, cpu := s.Saturated()
	if r.ServerCPU <= 0 || cpu <= 0 {
		return 0, 0
	}
	return float64(r.OK) / r.ServerCPU.Seconds(), float64(ok) / cpu.Seconds()
}

// RejectCost is the service's CPU time per 429 in the overload run: what
// the run cost beyond its verifications at VerifyCost, per refusal.
func (s SuiteResult) RejectCost() time.Duration {
	r := s.Overload
	v := s.VerifyCost()
	if v == 0 || r.Rejected == 0 {
		return 0
	}
	rest := r.ServerCPU - v*time.Duration(r.OK)
	return max(rest, 0) / time.Duration(r.Rejected)
}

// Suite measures the saturation throughput, then latency at half of it,
// then behaviour when offered three times it, then saturation again, and
// then beside slow clients.
func Suite(ctx context.Context, cfg SuiteConfig) (SuiteResult, error) {
	s, err := suite(ctx, cfg)
	s.PeakRSS = PeakRSS(cfg.ServerPID)
	return s, err
}

// CPUGoodputRatio is GoodputRatio per second of the service's CPU: the
// share of the ratio the service itself keeps, whatever CPU the machine
// gave it in each run; 0 without ServerPID.
func (s SuiteResult) CPUGoodputRatio() float64 {
	over, sat := s.PerCPU(s.Overload)
	if sat == 0 {
		return 0
	}
	return over / sat
}

func suite(ctx context.Context, cfg SuiteConfig) (SuiteResult, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	for _, d := range []*time.Duration{&cfg.Saturation, &cfg.Half} {
		if *d <= 0 {
			*d = 5 * time.Second
		}
	}
	for _, d := range []*time.Duration{&cfg.Overload, &cfg.SlowRun} {
		if *d <= 0 {
			*d = 10 * time.Second
		}
	}
	if cfg.Health <= 0 {
		cfg.Health = 50 * time.Millisecond
	}
	s := SuiteResult{Concurrency: cfg.Concurrency}
	var err error
	report := func(name string, r Result) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%-10s %v; server cpu %v; health %v (%d failed); host took %s\n",
				name, r, r.ServerCPU, r.HealthLatency, r.HealthFailed, r.HostTook())
		}
	}
	run := func(rate float64, conc int, d time.Duration) (Result, error) {
		// A pause lets the previous run's connections and goroutines go.
		time.Sleep(500 * time.Millisecond)
		return Run(ctx, Config{URL: cfg.URL, Bodies: cfg.Bodies, Rate: rate, Concurrency: conc, Duration: d,
			ServerPID: cfg.ServerPID, TLS: cfg.TLS, Health: cfg.Health, Header: cfg.Header})
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
	if s.After, err = run(0, cfg.Concurrency, cfg.Saturation); err != nil {
		return s, err
	}
	report("saturation", s.After)
	if cfg.Slow <= 0 {
		return s, nil
	}
	slow, err := StartSlow(ctx, cfg.URL, cfg.TLS, cfg.Slow)
	if err != nil {
		return s, err
	}
	// Let the crowd connect and settle before measuring.
	time.Sleep(2 * time.Second)
	s.WithSlow, err = run(0, cfg.Concurrency, cfg.SlowRun)
	s.SlowStats = slow.Stop()
	report("slow", s.WithSlow)
	return s, err
}

// PeakRSS is process pid's peak resident memory in bytes (VmHWM of
// /proc/PID/status), or 0 when not known.
func PeakRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	f, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			return kb << 10
		}
	}
	return 0
}
