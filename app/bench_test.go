package app_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/pass"
)

// BenchmarkLocalVerdictAdded is what the kiosk deciding costs an online
// scan: the presentation is parsed either way (garbage never reaches the
// network, duplicates are found by what is signed), so the added work is
// checking the parsed presentation against the lists, both signatures
// included. The target is under 0.2 ms.
func BenchmarkLocalVerdictAdded(b *testing.B) {
	r := newRig(b, nil)
	p, err := pass.Parse(r.holder(b, false).Present(epoch))
	if err != nil {
		b.Fatal(err)
	}
	tl, err := pass.OpenTrustList(r.w.TrustList, r.roots(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := p.Verify(tl, nil, pass.Policy{}, pass.Rules{}, epoch); !v.Admit {
			b.Fatal(v.Reason)
		}
	}
}

// BenchmarkScanOnlineFakes is a whole online scan through the engine with
// an instant service and ledger: the engine's own cost per scan.
func BenchmarkScanOnlineFakes(b *testing.B) {
	r := newRig(b, nil)
	h := r.holder(b, false)
	b.ReportAllocs()
	for b.Loop() {
		r.clock.Add(20 * time.Second) // a fresh presentation each time, never a duplicate
		if res := r.e.Scan(context.Background(), h.Present(r.clock.Now())); !res.Verdict.Admit || res.Entry.Method != app.Online {
			b.Fatalf("%+v", res.Entry)
		}
	}
}

// BenchmarkScanOnlineAdded is an online scan against a service taking
// 1 ms (a loopback passd's answer time), the ledger in memory. added_ms
// is the scan's time beyond the service's: the engine's own work,
// including the local verdict, which runs while the service is asked.
func BenchmarkScanOnlineAdded(b *testing.B) {
	r := newRig(b, nil)
	var inService time.Duration
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		start := time.Now()
		time.Sleep(time.Millisecond)
		inService += time.Since(start)
		return app.OnlineVerdict{Admit: true, Reason: "ok"}, nil
	})
	h := r.holder(b, false)
	var took time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		r.clock.Add(20 * time.Second) // a fresh presentation each time, never a duplicate
		text := h.Present(r.clock.Now())
		res := r.e.Scan(context.Background(), text)
		if !res.Verdict.Admit || res.Entry.Method != app.Online {
			b.Fatalf("%+v", res.Entry)
		}
		took += res.Took
		n++
	}
	b.ReportMetric(float64(took-inService)/float64(n)/1e6, "added_ms")
}
