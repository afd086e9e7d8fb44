package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"passdesk/app"
	"passdesk/pass"
)

func TestManualEntriesHighlighted(t *testing.T) {
	r := newRig(t, English, nil)
	r.openReview()
	rv := r.k.manager.review
	rv.entries = []app.Entry{
		{Time: epoch, Outcome: app.Admit, Method: app.Online, Name: "홍*동"},
		{Time: epoch, Outcome: app.Admit, Method: app.Manual, VisitorName: "Choi", ManualReason: app.ReasonNoPhone, Staff: "Lee", PhoneMask: "010-****-5678"},
	}
	for i, want := range []bool{false, true} {
		row := rv.newRow()
		rv.updateRow(i, row)
		back := row.(*fyne.Container).Objects[0].(*canvas.Rectangle)
		if back.Visible() != want {
			t.Errorf("row %d highlighted %v, want %v", i, back.Visible(), want)
		}
	}
	if got, want := rv.rowText(rv.entries[1]), "12:30:00  ·  Admitted  ·  Manual entry  ·  Choi  ·  010-****-5678  ·  No phone  ·  by Lee"; got != want {
		t.Errorf("manual row %q, want %q", got, want)
	}
}

func TestAlertNeedsAcknowledging(t *testing.T) {
	r := newRig(t, English, nil)
	r.k.showAlert(app.Result{Alert: true, Verdict: pass.Verdict{Reason: pass.Revoked}, Entry: app.Entry{Name: "홍*동", Time: epoch}})
	if len(r.win.Canvas().Overlays().List()) == 0 {
		t.Fatal("no alert on screen")
	}
}

// BenchmarkVerdict measures putting a verdict into words and laying it out
// full screen, the UI's share of the time from scan to verdict.
func BenchmarkVerdict(b *testing.B) {
	test.NewTempApp(b).Settings().SetTheme(NewTheme())
	c, err := loadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	v := newVerdictView(nil)
	w := test.NewTempWindow(b, container.NewStack(v))
	w.Resize(fyne.NewSize(1920, 1080))
	res := app.Result{Recorded: true, Verdict: pass.Verdict{Reason: pass.QRExpired}, Entry: app.Entry{Outcome: app.Deny, Method: app.Online, Name: "홍*동", Time: epoch}, Took: 30 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		v.setVerdict(describe(c, Korean, res))
	}
}

// BenchmarkScanToVerdict measures a keyboard-wedge scan through the real
// engine (offline verification, fake ledger) until the verdict is on
// screen.
func BenchmarkScanToVerdict(b *testing.B) {
	r := newRig(b, Korean, nil)
	h, err := r.world.NewHolder("홍*동", false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		// A new presentation each second, so none is a duplicate.
		r.clock.Add(time.Second)
		res := r.wedge(h.Present(r.clock.Now()))
		if res.Entry.Outcome != app.Admit {
			b.Fatalf("outcome %q (%s)", res.Entry.Outcome, res.Verdict.Reason)
		}
	}
}

func TestUnreadableIsNotCheckedOffline(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	v := describe(c, English, app.Result{Recorded: true, Verdict: pass.Verdict{Reason: pass.Malformed},
		Entry: app.Entry{Outcome: app.Deny, Method: app.Offline, Reason: string(pass.Malformed)}})
	if strings.Contains(v.Footer, "offline") || !strings.Contains(v.Footer, "nothing checked") {
		t.Errorf("footer %q, want it to say nothing was checked", v.Footer)
	}
}

func TestTookText(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{300 * time.Microsecond, "1 ms"}, {4 * time.Millisecond, "4 ms"}, {999 * time.Millisecond, "999 ms"}, {1250 * time.Millisecond, "1.25 s"}} {
		if got := tookText(tc.d); got != tc.want {
			t.Errorf("tookText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
