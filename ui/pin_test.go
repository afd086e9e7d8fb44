package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passdesk/app"
)

// TestKeypadCountsDown: after wrong PINs the manager keypad says how long
// to wait and takes no PIN until then, while the manual-entry keypad,
// counted apart, still lets staff in.
func TestKeypadCountsDown(t *testing.T) {
	r := newRig(t, English, nil)
	test.Tap(r.k.scan.managerB)
	var err error
	for range 3 {
		err = r.enterPIN("0000")
	}
	if !errors.Is(err, app.ErrLockedOut) {
		t.Fatalf("third wrong PIN: %v, want locked out", err)
	}
	p := r.k.pin
	if !p.ok.Disabled() || !strings.Contains(p.errMsg.Text, "30s") {
		t.Errorf("keypad: OK disabled %v, message %q", p.ok.Disabled(), p.errMsg.Text)
	}
	r.clock.Add(10 * time.Second)
	r.fire(time.Second)
	if !strings.Contains(p.errMsg.Text, "20s") {
		t.Errorf("after 10 s: %q", p.errMsg.Text)
	}
	r.clock.Add(20 * time.Second)
	r.fire(time.Second)
	if p.ok.Disabled() {
		t.Error("OK still disabled after the wait")
	}
	test.Tap(p.cancel)

	test.Tap(r.k.scan.manual)
	if err := r.enterPIN(staffPIN); err != nil {
		t.Errorf("manual entry after the manager keypad's lockout: %v", err)
	}
}

// TestStatusBarShowsClockBehind: with the clock set back after a scan, the
// status bar says so and shows both times.
func TestStatusBarShowsClockBehind(t *testing.T) {
	r := newRig(t, English, nil)
	r.clock.Add(time.Hour)
	r.wedge(r.holderQR("홍*동"))
	r.fire(verdictFor)
	r.clock.Add(-time.Hour)
	r.k.refreshStatus()
	got := r.k.scan.clock.Text
	if !r.k.scan.clock.Visible() || !strings.Contains(got, "Clock behind") ||
		!strings.Contains(got, r.clock.Now().Local().Format("15:04")) || !strings.Contains(got, r.clock.Now().Add(time.Hour).Local().Format("15:04")) {
		t.Errorf("clock label %q (shown %v)", got, r.k.scan.clock.Visible())
	}
}
