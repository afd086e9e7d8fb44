// Package loadgen drives POST /v1/verify of a passd service with fresh QR
// texts and measures what the service delivers: the throughput at
// saturation (closed loop), and latency, 429s and goodput at a fixed
// offered rate (open loop, so a slow service does not slow the offer).
// The benchmarks and passd loadgen both use it.
package loadgen

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"passdesk/api"
)

// Config is one load run.
type Config struct {
	// URL is the service's base URL, "http://127.0.0.1:8787".
	URL string
	// Bodies supplies each request's JSON body (a VerifyRequest).
	Bodies func() []byte
	// Rate is the offered rate in requests per second; 0 runs closed
	// loop: Concurrency clients each send the next request as soon as
	// the previous one is answered.
	Rate float64
	// Concurrency is the number of connections. Closed loop, each sends
	// back to back; open loop, a request due while every connection is
	// busy is counted as Dropped, not sent. Default 16 closed, 256 open.
	Concurrency int
	// Duration of the run.
	Duration time.Duration
	// Timeout of one request (default 10 s).
	Timeout time.Duration
	// ServerPID, when set, is the service's process on this machine: the
	// run then measures its CPU time (Linux /proc).
	ServerPID int
	// TLS configures https URLs (the CA to trust); nil trusts the
	// system's roots.
	TLS *tls.Config
	// Health, when positive, is how often a separate connection asks
	// GET /healthz during the run (Result.HealthLatency).
	Health time.Duration
	// Header is extra request header lines ("Authorization: Bearer
	// pdk_...\r\n"), sent with every request.
	Header string
}

// Latency summarizes response times.
type Latency struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

func (l Latency) String() string {
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("n=%d p50=%v p90=%v p99=%v max=%v", l.N, r(l.P50), r(l.P90), r(l.P99), r(l.Max))
}

// Result is what a run measured.
type Result struct {
	Elapsed  time.Duration
	Sent     int // requests sent
	OK       int // answered 200 (a verdict)
	Admitted int // of those, verdict admit
	Rejected int // answered 429
	Failed   int // transport errors and other statuses
	Dropped  int // open loop: due while every connection was busy
	// Offered and Goodput are Sent and OK per second of the run.
	Offered, Goodput float64
	OKLatency        Latency // of 200 answers
	RejectLatency    Latency // of 429 answers
	HealthLatency    Latency // of GET /healthz, when Config.Health is set
	HealthFailed     int     // health checks not answered 200
	// GenLag is how late the open loop's offer woke up: this process's
	// own scheduling delay, which every latency above includes.
	GenLag     Latency
	FirstError string // the first failure, for the report
	// CPU is the CPU time this process used during the run: with the
	// service in-process, service and load generator together.
	CPU time.Duration
	// ServerCPU is the CPU time the service's process used during the
	// run, when Config.ServerPID named it.
	ServerCPU time.Duration
	// Steal is each CPU's share of the run's time that the host of a
	// virtual machine took (/proc/stat), by CPU number; nil where not
	// known.
	Steal []float64
}

func (r Result) String() string {
	return fmt.Sprintf("offered %.0f/s goodput %.0f/s; sent %d ok %d (admit %d) 429 %d failed %d dropped %d; ok %v; 429 %v",
		r.Offered, r.Goodput, r.Sent, r.OK, r.Admitted, r.Rejected, r.Failed, r.Dropped, r.OKLatency, r.RejectLatency)
}

// recorder collects one worker's outcomes; workers merge at the end.
type recorder struct {
	ok, rej  []time.Duration
	sent     int
	admitted int
	failed   int
	firstErr string
}

var admitMark = []byte(`"verdict":"admit"`)

// one sends one request on c and records its outcome.
func (rec *recorder) one(c *conn, host, header string, body []byte, timeout time.Duration) {
	rec.sent++
	start := time.Now()
	status, b, err := c.do(host, api.PathVerify, header, body, start.Add(timeout))
	d := time.Since(start)
	switch {
	case err != nil:
		rec.fail(err.Error())
	case status == 200:
		rec.ok = append(rec.ok, d)
		if bytes.Contains(b, admitMark) {
			rec.admitted++
		}
	case status == 429:
		rec.rej = append(rec.rej, d)
	default:
		rec.fail(fmt.Sprintf("status %d: %s", status, bytes.TrimSpace(b)))
	}
}

func (rec *recorder) fail(msg string) {
	rec.failed++
	if rec.firstErr == "" {
		rec.firstErr = msg
	}
}

// Run runs one load and returns what it measured.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Bodies == nil || cfg.Duration <= 0 {
		return Result{}, errors.New("loadgen: Bodies and Duration are required")
	}
	t, err := parseTarget(cfg.URL, cfg.TLS)
	if err != nil {
		return Result{}, err
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
		if cfg.Rate > 0 {
			cfg.Concurrency = 256
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	recs := make([]*recorder, cfg.Concurrency)
	var tickets chan struct{}
	if cfg.Rate > 0 {
		tickets = make(chan struct{}, cfg.Concurrency)
	}
	// Every connection is made before the run starts, so that the run
	// measures requests, not connection set-up.
	conns := make([]*conn, cfg.Concurrency)
	for i := range conns {
		conns[i] = newConn(t.addr, t.tls)
		if err := conns[i].dial(); err != nil {
			for _, c := range conns[:i] {
				c.close()
			}
			return Result{}, fmt.Errorf("loadgen: %w", err)
		}
	}
	cpu0, scpu0, host0 := processCPU(), ServerCPU(cfg.ServerPID), readCPUTimes()
	start := time.Now()
	end := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i := range recs {
		rec := &recorder{}
		recs[i] = rec
		c := conns[i]
		wg.Go(func() {
			defer c.close()
			if tickets == nil {
				for ctx.Err() == nil && time.Now().Before(end) {
					rec.one(c, t.host, cfg.Header, cfg.Bodies(), cfg.Timeout)
				}
				return
			}
			for range tickets {
				rec.one(c, t.host, cfg.Header, cfg.Bodies(), cfg.Timeout)
			}
		})
	}
	health := make(chan *recorder, 1)
	go func() { health <- probeHealth(ctx, t, cfg.Health, end) }()
	var dropped int
	var lags []time.Duration
	if tickets != nil {
		dropped, lags = offer(ctx, cfg.Rate, end, tickets)
		close(tickets)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, scpu := processCPU()-cpu0, ServerCPU(cfg.ServerPID)-scpu0
	if tickets != nil {
		// The offer ends at end; answers still arriving after it count.
		elapsed = cfg.Duration
	}
	res := Result{Elapsed: elapsed, Dropped: dropped, CPU: cpu, ServerCPU: scpu, GenLag: summarize(lags),
		Steal: stealShares(host0, readCPUTimes())}
	if h := <-health; h != nil {
		res.HealthLatency, res.HealthFailed = summarize(h.ok), h.failed
	}
	var ok, rej []time.Duration
	for _, r := range recs {
		res.Sent += r.sent
		res.Admitted += r.admitted
		res.Failed += r.failed
		if res.FirstError == "" {
			res.FirstError = r.firstErr
		}
		ok = append(ok, r.ok...)
		rej = append(rej, r.rej...)
	}
	res.OK, res.Rejected = len(ok), len(rej)
	res.OKLatency, res.RejectLatency = summarize(ok), summarize(rej)
	res.Offered = float64(res.Sent) / elapsed.Seconds()
	res.Goodput = float64(res.OK) / elapsed.Seconds()
	return res, ctx.Err()
}

// target is where a run sends its requests.
type target struct {
	addr, host string
	tls        *tls.Config // nil: plain HTTP
}

func parseTarget(raw string, tc *tls.Config) (target, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return target{}, fmt.Errorf("loadgen: URL %q is not http(s)://HOST:PORT", raw)
	}
	t := target{addr: u.Host, host: u.Host}
	if u.Scheme == "https" {
		if tc == nil {
			tc = &tls.Config{}
		}
		t.tls = tc.Clone()
		t.tls.MinVersion = tls.VersionTLS13
		if t.tls.ServerName == "" {
			t.tls.ServerName = u.Hostname()
		}
	}
	if u.Port() == "" {
		t.addr = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[t.tls != nil])
	}
	return t, nil
}

// Health asks GET /healthz of the service at rawURL every interval for
// d (until ctx ends when d is 0), on one connection, and summarizes the
// answers: the health check as a process of its own sees it, apart from
// a load generator's queue.
func Health(ctx context.Context, rawURL string, tc *tls.Config, interval, d time.Duration) (Latency, int, error) {
	t, err := parseTarget(rawURL, tc)
	if err != nil {
		return Latency{}, 0, err
	}
	end := time.Now().Add(d)
	if d <= 0 {
		end = time.Now().Add(100 * 365 * 24 * time.Hour)
	}
	rec := probeHealth(ctx, t, interval, end)
	return summarize(rec.ok), rec.failed, nil
}

// probeHealth asks GET /healthz every interval until end, on its own
// connection, and records the answers; nil when interval is 0.
func probeHealth(ctx context.Context, t target, interval time.Duration, end time.Time) *recorder {
	if interval <= 0 {
		return nil
	}
	rec := &recorder{}
	c := newConn(t.addr, t.tls)
	defer c.close()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for time.Now().Before(end) && ctx.Err() == nil {
		start := time.Now()
		status, _, err := c.do(t.host, api.PathHealth, "", nil, start.Add(5*time.Second))
		if err != nil || status != 200 {
			rec.failed++
		} else {
			rec.ok = append(rec.ok, time.Since(start))
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	return rec
}

// offer hands out a ticket per request due at rate until end, whatever
// the service's answers take, and returns how many found every
// connection busy and how late it woke each time.
func offer(ctx context.Context, rate float64, end time.Time, tickets chan<- struct{}) (dropped int, lags []time.Duration) {
	interval := time.Duration(float64(time.Second) / rate)
	if interval <= 0 {
		interval = 1
	}
	next := time.Now()
	for next.Before(end) && ctx.Err() == nil {
		now := time.Now()
		lags = append(lags, max(now.Sub(next), 0))
		for !next.After(now) && next.Before(end) {
			next = next.Add(interval)
			select {
			case tickets <- struct{}{}:
			default:
				dropped++
			}
		}
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
	}
	return dropped, lags
}

// ServerCPU is the CPU time (user and system) process pid has used, from
// /proc/PID/stat in clock ticks of 10 ms, or 0 when pid is 0 or unknown.
func ServerCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; utime and stime
	// are the 14th and 15th fields, the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration {
		i := int(q * float64(len(ds)))
		if i >= len(ds) {
			i = len(ds) - 1
		}
		return ds[i]
	}
	return Latency{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ds[len(ds)-1]}
}
