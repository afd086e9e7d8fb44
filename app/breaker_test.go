package app_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
)

// TestStatusAnswersWhileTheOutageEndIsWritten checks that a ledger slow to
// record the end of an outage (a fsync on a tired disk) holds up neither
// the window's once-a-second Status nor a visitor's scan.
func TestStatusAnswersWhileTheOutageEndIsWritten(t *testing.T) {
	r := newRig(t, nil)
	r.ledger.CloseDelay = 2 * time.Second
	r.e.Start(context.Background())
	eventually(t, "first list sync", func() bool { return r.svc.Calls("list") >= 2 })
	r.svc.SetDown(&app.Unavailable{Cause: "http 503"})
	h := r.holder(t, false)
	for i := range 2 {
		r.e.Scan(context.Background(), h.Present(epoch.Add(time.Duration(i)*time.Second)))
	}
	eventually(t, "outage", func() bool { return len(r.ledger.Outages()) == 1 && r.e.Status().OutageSince != (time.Time{}) })

	r.svc.SetDown(nil)
	eventually(t, "recovery", func() bool { return r.e.Status().Online })
	// The end is being written now, for 2 s.
	var worst time.Duration
	for range 20 {
		start := time.Now()
		r.e.Status()
		worst = max(worst, time.Since(start))
		time.Sleep(10 * time.Millisecond)
	}
	if worst >= 10*time.Millisecond {
		t.Errorf("Status took %v while the outage's end was written, want under 10ms", worst)
	}
	start := time.Now()
	if res := r.e.Scan(context.Background(), h.Present(epoch.Add(3*time.Second))); !res.Verdict.Admit {
		t.Errorf("scan during the write: %+v", res.Entry)
	}
	if took := time.Since(start); took >= time.Second {
		t.Errorf("a scan took %v while the outage's end was written", took)
	}
	if !r.ledger.Outages()[0].End.IsZero() {
		t.Fatal("the end was written before the checks: the test proves nothing")
	}
	eventually(t, "the outage's end", func() bool { return !r.ledger.Outages()[0].End.IsZero() })
}
