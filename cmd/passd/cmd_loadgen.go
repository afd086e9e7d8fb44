package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/loadgen"
)

func init() {
	commands["loadgen"] = command{"load-test POST /v1/verify of a running passd (saturation, half rate, 3x)", runLoadgen}
}

func runLoadgen(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("loadgen", "", stderr)
	url := fs.String("url", "http://127.0.0.1:8787", "the service's base URL")
	textsFile := fs.String("texts", "", "QR texts, one a line (from passd holder --text; - for stdin), instead of minting fresh ones from --data's demo holders")
	mode := fs.String("mode", "suite", "suite (saturation, then half and 3x its rate), closed (--concurrency clients back to back), open (--rate) or health (GET /healthz every 50 ms for --duration, 0: until interrupted)")
	rate := fs.Float64("rate", 0, "open mode: requests per second offered")
	conc := fs.Int("concurrency", 0, "connections (default 4 suite saturation, 16 closed, 256 open)")
	slow := fs.Int("slow", 1000, "suite: slow clients beside a second saturation run (0: skip it)")
	pid := fs.Int("server-pid", 0, "the service's process on this machine: report its CPU time and peak memory")
	caFile := fs.String("ca", "", "https: the CA certificate to trust (PEM), e.g. DIR/tls-ca.pem from passd init")
	tokenFile := fs.String("token-file", "", "a file holding the kiosk credential to send as Authorization: Bearer")
	dur := fs.Duration("duration", 10*time.Second, "closed and open modes: how long")
	venue := fs.String("venue", "loadgen", "venue_id sent")
	kiosk := fs.String("kiosk", "loadgen-1", "kiosk_id sent")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	runs := fs.Int("runs", 1, "suite: run it this many times and print the medians after each run's figures")
	pollIdle := fs.Bool("poll-idle", false, "keep idle CPUs polling, not halted, while the load runs (/dev/cpu_dma_latency; root): on a virtual machine, waking a halted CPU costs the waker, which on loopback is the service")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 || (*mode == "open" && *rate <= 0) || *runs < 1 || !slices.Contains([]string{"suite", "closed", "open", "health"}, *mode) {
		fs.Usage()
		return exitUsage
	}
	if *mode == "health" {
		return runHealth(*url, *caFile, *dur, stdout, stderr)
	}
	bodies, err := loadBodies(*data, *textsFile, *venue, *kiosk, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
		return exitFail
	}
	tc, header, err := clientAuth(*caFile, *tokenFile)
	if err != nil {
		fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
		return exitFail
	}
	if *pollIdle {
		release, err := loadgen.PollIdle()
		if err != nil {
			fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
			return exitFail
		}
		defer release()
		if !*asJSON {
			fmt.Fprintln(stdout, "idle CPUs poll for this run (/dev/cpu_dma_latency held at 0 µs)")
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var out any
	switch *mode {
	case "suite":
		var all []loadgen.SuiteResult
		for i := range *runs {
			if *runs > 1 && !*asJSON {
				fmt.Fprintf(stdout, "run %d of %d\n", i+1, *runs)
			}
			s, err := loadgen.Suite(ctx, loadgen.SuiteConfig{URL: *url, Bodies: bodies, Concurrency: *conc, Slow: *slow,
				ServerPID: *pid, TLS: tc, Header: header, Progress: stderr})
			if err != nil {
				fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
				return exitFail
			}
			all = append(all, s)
			if !*asJSON {
				printSuite(stdout, s)
			}
		}
		out = all[0]
		if *runs > 1 {
			out = all
			if !*asJSON {
				printMedians(stdout, all)
			}
		}
	default:
		cfg := loadgen.Config{URL: *url, Bodies: bodies, Concurrency: *conc, Duration: *dur,
			ServerPID: *pid, TLS: tc, Header: header, Health: 50 * time.Millisecond}
		if *mode == "open" {
			cfg.Rate = *rate
		}
		r, err := loadgen.Run(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
			return exitFail
		}
		out = r
		if !*asJSON {
			fmt.Fprintln(stdout, r)
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
	}
	return exitOK
}

// runHealth is passd loadgen --mode health.
func runHealth(url, caFile string, d time.Duration, stdout, stderr io.Writer) int {
	tc, _, err := clientAuth(caFile, "")
	if err != nil {
		fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
		return exitFail
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, failed, err := loadgen.Health(ctx, url, tc, 50*time.Millisecond, d)
	if err != nil {
		fmt.Fprintf(stderr, "passd loadgen: %v\n", err)
		return exitFail
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	fmt.Fprintf(stdout, "health:      %d checks from a process of their own: p50 %.2f ms p99 %.2f ms max %.2f ms, %d failed\n",
		l.N, ms(l.P50), ms(l.P99), ms(l.Max), failed)
	// What the service measured itself, from each request's arrival.
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	if resp, err := c.Get(strings.TrimSuffix(url, "/") + api.PathHealth); err == nil {
		var h struct {
			Post    float64 `json:"post_p99_ms"`
			Post429 float64 `json:"post_429_p99_ms"`
			Health  float64 `json:"health_p99_ms"`
			HealthM float64 `json:"health_max_ms"`
			Shed    int64   `json:"shed_total"`
			Door    int64   `json:"shed_at_door"`
			Swept   int64   `json:"shed_swept"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Post > 0 {
			fmt.Fprintf(stdout, "service:     from arrival to answer, as passd measured it: admitted POST p99 under %.2f ms, 429 p99 under %.2f ms\n", h.Post, h.Post429)
		}
		if h.Health > 0 {
			fmt.Fprintf(stdout, "service:     health checks from arrival to answer, as passd measured it (the slow clients' idle ones included, sent as they connect, a third of them at once): p99 under %.2f ms, max under %.2f ms\n", h.Health, h.HealthM)
		}
		if h.Shed > 0 {
			fmt.Fprintf(stdout, "service:     %d shed, %d of them at the front door, %d of those by the sweeper\n", h.Shed, h.Door, h.Swept)
		}
	}
	return exitOK
}

// clientAuth reads the CA to trust and the kiosk credential to send.
func clientAuth(caFile, tokenFile string) (*tls.Config, string, error) {
	var tc *tls.Config
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, "", err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, "", fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tc = &tls.Config{RootCAs: pool}
	}
	var header string
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, "", err
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" || strings.ContainsAny(tok, "\r\n") {
			return nil, "", fmt.Errorf("%s holds no credential", tokenFile)
		}
		header = api.HeaderAuthorization + ": " + api.BearerPrefix + tok + "\r\n"
	}
	return tc, header, nil
}

// printSuite prints the figures of issue 18's targets.
func printSuite(w io.Writer, s loadgen.SuiteResult) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
	sat, half, over := s.Saturation, s.Half, s.Overload
	satGoodput, _, _ := s.Saturated()
	fmt.Fprintf(w, "saturated:   %.0f verifications/s, p99 %s (%d connections back to back, %d 429s)\n",
		satGoodput, ms(sat.OKLatency.P99), s.Concurrency, sat.Rejected)
	if after := s.After; after.Goodput > 0 {
		fmt.Fprintf(w, "             the mean of %.0f/s before the 3x run and %.0f/s after it\n", sat.Goodput, after.Goodput)
	}
	if sat.ServerCPU > 0 {
		fmt.Fprintf(w, "             service CPU %.0f%% of a core, %.1f µs a verification\n",
			100*sat.ServerCPU.Seconds()/sat.Elapsed.Seconds(), float64(s.VerifyCost())/1e3)
	}
	fmt.Fprintf(w, "half rate:   %.0f/s, p50 %s p99 %s\n", half.Goodput, ms(half.OKLatency.P50), ms(half.OKLatency.P99))
	fmt.Fprintf(w, "3x offered:  %.0f/s sent (%d not sent: every connection busy), goodput %.0f/s = %.2f of saturated\n",
		over.Offered, over.Dropped, over.Goodput, s.GoodputRatio())
	fmt.Fprintf(w, "             admitted p99 %s, 429 p99 %s (%d), failed %d\n",
		ms(over.OKLatency.P99), ms(over.RejectLatency.P99), over.Rejected, over.Failed)
	fmt.Fprintf(w, "             generator: CPU %.0f%% of a core, its offer woke late by p99 %s\n",
		100*over.CPU.Seconds()/over.Elapsed.Seconds(), ms(over.GenLag.P99))
	if c := s.RejectCost(); c > 0 {
		fmt.Fprintf(w, "             a 429 costs %.1f µs of service CPU; service CPU %.0f%% of a core\n",
			float64(c)/1e3, 100*over.ServerCPU.Seconds()/over.Elapsed.Seconds())
		perOver, perSat := s.PerCPU(over)
		fmt.Fprintf(w, "             per second of service CPU: %.0f verifications at 3x, %.0f saturated = %.2f\n",
			perOver, perSat, s.CPUGoodputRatio())
	}
	if s.SlowStats.Clients > 0 {
		fmt.Fprintf(w, "slow:        %d slow clients (%d dials): saturated goodput %.0f/s, %+.1f%%",
			s.SlowStats.Clients, s.SlowStats.Dials, s.WithSlow.Goodput, 100*s.SlowChange())
		if perSlow, perSat := s.PerCPU(s.WithSlow); perSat > 0 {
			fmt.Fprintf(w, "; per second of service CPU %+.1f%%", 100*(perSlow/perSat-1))
		}
		fmt.Fprintln(w)
	}
	health, failed := s.Saturation.HealthLatency, s.Saturation.HealthFailed
	for _, r := range []loadgen.Result{half, over, s.After, s.WithSlow} {
		health.P99, health.Max = max(health.P99, r.HealthLatency.P99), max(health.Max, r.HealthLatency.Max)
		failed += r.HealthFailed
	}
	fmt.Fprintf(w, "health:      from the generator, worst p99 %s, max %s, %d failed\n", ms(health.P99), ms(health.Max), failed)
	if s.PeakRSS > 0 {
		fmt.Fprintf(w, "peak RSS:    %.1f MiB\n", float64(s.PeakRSS)/(1<<20))
	}
	if sat.Steal != nil {
		fmt.Fprintf(w, "host:        took %s at saturation; %s at 3x\n", sat.HostTook(), over.HostTook())
	}
}

// loadBodies makes the request bodies: fresh QR texts minted from the
// data directory's demo holders, or the texts of a file.
func loadBodies(data, textsFile, venue, kiosk string, stderr io.Writer) (func() []byte, error) {
	if textsFile != "" {
		var r io.Reader = os.Stdin
		if textsFile != "-" {
			f, err := os.Open(textsFile)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		var texts []string
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if t := strings.TrimRight(sc.Text(), "\r"); t != "" {
				texts = append(texts, t)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return loadgen.Static(texts, venue, kiosk)
	}
	a, ok := openData(data, stderr)
	if !ok {
		return nil, fmt.Errorf("no data directory to mint QR texts from (--data DIR, or --texts FILE)")
	}
	defer a.Close()
	ctx := context.Background()
	hs, err := pickHolders(ctx, a, "", stderr)
	if err != nil {
		return nil, err
	}
	m, err := loadgen.NewMinter(hs, venue, kiosk, nil)
	if err != nil {
		return nil, err
	}
	return m.Next, nil
}

// printMedians prints the medians of the runs' main figures, with their
// range: on a shared machine one run says little.
func printMedians(w io.Writer, all []loadgen.SuiteResult) {
	fig := func(name, unit, format string, f func(loadgen.SuiteResult) float64) {
		v := make([]float64, len(all))
		for i, s := range all {
			v[i] = f(s)
		}
		slices.Sort(v)
		m := v[len(v)/2]
		if len(v)%2 == 0 {
			m = (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		fmt.Fprintf(w, "  %-28s "+format+"%s ("+format+" to "+format+")\n", name, m, unit, v[0], v[len(v)-1])
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	fmt.Fprintf(w, "medians of %d runs (lowest to highest):\n", len(all))
	fig("saturated", "/s", "%.0f", func(s loadgen.SuiteResult) float64 { g, _, _ := s.Saturated(); return g })
	fig("CPU a verification", " µs", "%.1f", func(s loadgen.SuiteResult) float64 { return float64(s.VerifyCost()) / 1e3 })
	fig("half rate p99", " ms", "%.2f", func(s loadgen.SuiteResult) float64 { return ms(s.Half.OKLatency.P99) })
	fig("3x goodput / saturated", "", "%.2f", loadgen.SuiteResult.GoodputRatio)
	fig("  per second of service CPU", "", "%.2f", loadgen.SuiteResult.CPUGoodputRatio)
	fig("3x admitted p99", " ms", "%.2f", func(s loadgen.SuiteResult) float64 { return ms(s.Overload.OKLatency.P99) })
	fig("3x 429 p99", " ms", "%.2f", func(s loadgen.SuiteResult) float64 { return ms(s.Overload.RejectLatency.P99) })
	fig("CPU a 429", " µs", "%.1f", func(s loadgen.SuiteResult) float64 { return float64(s.RejectCost()) / 1e3 })
	if all[0].SlowStats.Clients > 0 {
		fig("slow clients, goodput", " %", "%+.1f", func(s loadgen.SuiteResult) float64 { return 100 * s.SlowChange() })
	}
	fig("health p99, worst run part", " ms", "%.2f", func(s loadgen.SuiteResult) float64 {
		h := s.Saturation.HealthLatency.P99
		for _, r := range []loadgen.Result{s.Half, s.Overload, s.WithSlow} {
			h = max(h, r.HealthLatency.P99)
		}
		return ms(h)
	})
	fig("peak RSS", " MiB", "%.1f", func(s loadgen.SuiteResult) float64 { return float64(s.PeakRSS) / (1 << 20) })
	if all[0].Overload.Steal != nil {
		fig("host's take of a CPU at 3x", " %", "%.1f", func(s loadgen.SuiteResult) float64 { return 100 * s.Overload.MostStolen() })
	}
}
