package loadgen_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/loadgen"
	"passdesk/cmd/passd/server"
)

// startServer runs a passd server in-process on a loopback port and
// returns it, its URL and the header lines of a kiosk credential.
func startServer(tb testing.TB, holders int) (*server.Server, string, string) {
	tb.Helper()
	srv, err := server.New(server.Config{
		Dir:         tb.TempDir(),
		DemoHolders: holders,
		ShedTarget:  shedTarget(),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	token, err := srv.AddKiosk(context.Background(), "bench-venue", "bench-kiosk")
	if err != nil {
		tb.Fatal(err)
	}
	return srv, "http://" + ln.Addr().String(), api.HeaderAuthorization + ": " + api.BearerPrefix + token + "\r\n"
}

// shedTarget is server.DefaultShedTarget unless PASSD_BENCH_SHED says
// otherwise (a duration; 0 turns queue shedding off), for comparing
// settings.
func shedTarget() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("PASSD_BENCH_SHED")); err == nil {
		return d
	}
	return server.DefaultShedTarget
}

func newMinter(tb testing.TB, srv *server.Server) *loadgen.Minter {
	tb.Helper()
	hs, err := srv.Authority().DemoHolders(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	m, err := loadgen.NewMinter(hs, "bench-venue", "bench-kiosk", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkVerifyLoad is the load test against an in-process
// server on loopback, load generator included: the saturation throughput
// of POST /v1/verify, latency at half of it, and at three times it the
// accepted requests' latency, the 429s' latency and the goodput kept.
// PASSD_BENCH_SHORT=1 shortens the runs to 1 s each.
func BenchmarkVerifyLoad(b *testing.B) {
	srv, url, header := startServer(b, 32)
	cfg := loadgen.SuiteConfig{URL: url, Bodies: newMinter(b, srv).Next, Header: header, Concurrency: 4 * runtime.GOMAXPROCS(0)}
	if os.Getenv("PASSD_BENCH_SHORT") != "" {
		cfg.Saturation, cfg.Half, cfg.Overload = time.Second, time.Second, time.Second
	}
	if testing.Verbose() {
		cfg.Progress = os.Stderr
	}
	var s loadgen.SuiteResult
	for b.Loop() {
		var err error
		if s, err = loadgen.Suite(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	for _, r := range []loadgen.Result{s.Saturation, s.Half, s.Overload} {
		if r.Failed > 0 || r.Admitted != r.OK {
			b.Errorf("%d failed (%s), %d of %d verdicts not admit", r.Failed, r.FirstError, r.OK-r.Admitted, r.OK)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	// On a machine shared with other work the rates above are what this
	// process was given; the CPU time per verification (service and load
	// generator together) says what two cores of its own would do.
	if s.Saturation.OK > 0 {
		perVerif := s.Saturation.CPU.Seconds() / float64(s.Saturation.OK)
		b.ReportMetric(perVerif*1e6, "sat-cpu-us/verif")
		b.ReportMetric(2/perVerif, "sat-verif/s-per-2-cpus")
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(s.Saturation.Goodput, "sat-verif/s")
	b.ReportMetric(ms(s.Saturation.OKLatency.P99), "sat-p99-ms")
	b.ReportMetric(s.Half.Goodput, "half-verif/s")
	b.ReportMetric(ms(s.Half.OKLatency.P50), "half-p50-ms")
	b.ReportMetric(ms(s.Half.OKLatency.P99), "half-p99-ms")
	b.ReportMetric(s.Overload.Offered, "3x-offered/s")
	b.ReportMetric(s.Overload.Goodput, "3x-verif/s")
	b.ReportMetric(ms(s.Overload.OKLatency.P99), "3x-ok-p99-ms")
	b.ReportMetric(ms(s.Overload.RejectLatency.P99), "3x-429-p99-ms")
	b.ReportMetric(float64(s.Overload.Rejected), "3x-429s")
	b.ReportMetric(s.GoodputRatio(), "3x-goodput-ratio")
}
