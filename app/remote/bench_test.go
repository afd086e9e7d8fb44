package remote_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"sort"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/cmd/passd/authority"
	"passdesk/internal/faultproxy"
	"passdesk/pass"
)

// Verdict latency benchmarks: each op is a batch of 1,000 scans of fresh,
// distinct passes through a kiosk with a real ledger, against the real
// passd on loopback; p50, p99 and max are reported over all scans.

const batch = 1000

// texts makes n distinct fresh QR texts from new holders, each holder
// presenting up to ten times with iat spread over the freshness window.
// Lazy texts are made as they are taken, so they are fresh however long
// the scans take; otherwise all are made before texts returns, so that
// making them does not compete with the scans for the CPU.
func texts(b *testing.B, a *authorityRig, n int, lazy bool) <-chan string {
	const perHolder = 10
	out := make(chan string, n)
	if lazy {
		out = make(chan string, 16)
	}
	go func() {
		defer close(out)
		for made := 0; made < n; {
			pub, key, _ := ed25519.GenerateKey(rand.Reader)
			iss, err := a.srv.Authority().Enroll(context.Background(), authority.Enrollment{
				Name: "홍길동", Status: pass.Vaccinated, HolderKey: pub})
			if err != nil {
				b.Error(err)
				return
			}
			now := time.Now().Unix()
			for j := int64(0); j < perHolder && made < n; j++ {
				t, err := pass.Present(iss.Credential, key, now-j)
				if err != nil {
					b.Error(err)
					return
				}
				out <- t
				made++
			}
		}
	}()
	if !lazy {
		for len(out) < n {
			time.Sleep(time.Millisecond)
		}
	}
	return out
}

type latencies []time.Duration

func (l latencies) sort() latencies {
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}

func (l latencies) report(b *testing.B) {
	l.sort()
	q := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))]) / 1e6 }
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
	b.ReportMetric(q(1), "max_ms")
	b.ReportMetric(float64(len(l))/float64(b.N), "scans/op")
}

// run scans a batch per op with the given concurrency and checks the
// method of every verdict.
func run(b *testing.B, a *authorityRig, k *kioskRig, workers int, lazy bool, want app.Method) latencies {
	var lat latencies
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		work := texts(b, a, batch, lazy)
		b.StartTimer()
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for t := range work {
					r := k.e.Scan(context.Background(), t)
					if !r.Recorded || r.Entry.Outcome != app.Admit || r.Entry.Method != want {
						b.Errorf("scan: %+v (%v)", r.Entry, r.Err)
					}
					mu.Lock()
					lat = append(lat, r.Took)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	return lat
}

func benchKiosk(b *testing.B, d time.Duration, tune func(*app.Timing)) (*authorityRig, *kioskRig) {
	a := newAuthority(b)
	k := openKioskWith(b, a, ledgerDir(b), a.proxy.URL(), d, tune)
	waitFor(b, "lists", func() bool { return !k.e.Status().TrustListStale && !k.e.Status().RevocationsStale })
	return a, k
}

func BenchmarkVerdictHealthy(b *testing.B) {
	a, k := benchKiosk(b, deadline, nil)
	run(b, a, k, 1, false, app.Online).report(b)
}

// The service hangs and the breaker is kept closed, so every scan waits
// the whole deadline (50 ms here, the shortest allowed) and then falls
// back offline. Two scans run at once to keep the run short; they share
// one ledger, so the latency also covers waiting for each other's writes.
// over_bound counts the scans over the deadline plus 50 ms.
func BenchmarkVerdictHangingBreakerClosed(b *testing.B) {
	const d = 50 * time.Millisecond
	a, k := benchKiosk(b, d, func(t *app.Timing) { t.FailuresToTrip = 1 << 30 })
	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Hang})
	lat := run(b, a, k, 2, true, app.Offline)
	over := 0
	for _, l := range lat {
		if l > d+50*time.Millisecond {
			over++
		}
	}
	lat.report(b)
	b.ReportMetric(float64(over), "over_bound")
	b.ReportMetric(float64(d+50*time.Millisecond)/1e6, "bound_ms")
}

func BenchmarkVerdictBreakerOpen(b *testing.B) {
	a, k := benchKiosk(b, deadline, func(t *app.Timing) { t.ProbeEvery, t.ProbeMax = time.Hour, time.Hour })
	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Status, Code: 503})
	for t := range texts(b, a, 2, false) {
		k.e.Scan(context.Background(), t)
	}
	if k.e.Status().Online {
		b.Fatal("breaker still closed")
	}
	run(b, a, k, 1, false, app.Offline).report(b)
}

// The same with the ledger in memory: what the engine itself costs once
// the breaker is open, without the ledger's fsync.
func BenchmarkVerdictBreakerOpenMemoryLedger(b *testing.B) {
	a := newAuthority(b)
	k := openKioskWith(b, a, ledgerDir(b), a.proxy.URL(), deadline, func(t *app.Timing) { t.ProbeEvery, t.ProbeMax = time.Hour, time.Hour })
	waitFor(b, "lists", func() bool { return !k.e.Status().TrustListStale })
	cfg := k.e.Config()
	mem := &apptest.Ledger{}
	e, err := app.New(cfg, app.Deps{Ledger: mem, Service: k.svc, Lists: k.lists,
		Timing: app.Timing{ProbeEvery: time.Hour, ProbeMax: time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Status, Code: 503})
	for t := range texts(b, a, 2, false) {
		e.Scan(context.Background(), t)
	}
	if e.Status().Online {
		b.Fatal("breaker still closed")
	}
	run(b, a, &kioskRig{e: e}, 1, false, app.Offline).report(b)
}
