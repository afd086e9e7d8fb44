package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"passdesk/app"
)

// TestFullDiskIsShownAndResumes fills the disk: a scan is not recorded,
// the status counts it for the screen, and once space is back the engine's
// timer resumes recording by itself, without waiting for a scan.
func TestFullDiskIsShownAndResumes(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) {
		d.Service = nil
		d.Timing.ResumeEvery = 5 * time.Millisecond
	})
	full := errors.New("database or disk is full")
	r.ledger.SetFull(full)
	r.e.Start(context.Background())

	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if res.Recorded || res.Verdict.Admit {
		t.Fatalf("scan on a full disk: recorded %v admit %v", res.Recorded, res.Verdict.Admit)
	}
	st := r.e.Status()
	if st.Unrecorded.Since.IsZero() || st.Unrecorded.Entries != 1 {
		t.Fatalf("status on a full disk: %+v", st.Unrecorded)
	}
	time.Sleep(20 * time.Millisecond) // the timer tries while the disk is still full
	if n := r.ledger.Resumes(); n != 0 {
		t.Fatalf("resumed %d times on a full disk", n)
	}

	r.ledger.SetFull(nil)
	eventually(t, "recording resumed", func() bool { return r.ledger.Resumes() == 1 })
	if st := r.e.Status(); !st.Unrecorded.Since.IsZero() {
		t.Errorf("status after space is back: %+v", st.Unrecorded)
	}
}
