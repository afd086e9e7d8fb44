package ui

import (
	"image"
	"image/color"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"passdesk/app"
)

// scanner is a fake app.Scanner: the test sends texts, it records pauses.
type scanner struct {
	texts chan string
	mu    sync.Mutex
	pause []bool
	frame image.Image
}

var _ app.Scanner = (*scanner)(nil)

func (s *scanner) Texts() <-chan string   { return s.texts }
func (s *scanner) Preview() image.Image   { return s.frame }
func (s *scanner) State() app.CameraState { return app.CameraOK }
func (s *scanner) Close() error           { return nil }
func (s *scanner) Pause(p bool)           { s.mu.Lock(); s.pause = append(s.pause, p); s.mu.Unlock() }
func (s *scanner) paused() (last bool, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pause[len(s.pause)-1], len(s.pause)
}

func TestCameraScanPausesWhileVerdictShows(t *testing.T) {
	r := newRig(t, English, nil)
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	img.SetGray(1, 1, color.Gray{Y: 200})
	sc := &scanner{texts: make(chan string, 1), frame: img}
	r.k.sc, r.k.scan.sc = sc, sc
	go r.k.drainScanner()

	r.k.scan.refreshPreview()
	if r.k.scan.preview.Image != img {
		t.Error("the camera frame is not shown")
	}
	r.k.refreshStatus()
	if got := r.k.scan.camera.Text; got != "Camera ready" {
		t.Errorf("camera status %q", got)
	}

	sc.texts <- r.holderQR("홍*동")
	r.runUntil("a verdict", func() bool { return len(r.results) > 0 })
	if !r.k.VerdictShown() {
		t.Fatal("no verdict for a camera scan")
	}
	if p, _ := sc.paused(); !p {
		t.Error("the scanner runs on while the verdict shows")
	}
	r.fire(verdictFor)
	if p, _ := sc.paused(); p {
		t.Error("the scanner stays paused after the verdict cleared")
	}

	// The manager's area pauses it too; back at the scan screen it runs.
	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(managerPIN); err != nil {
		t.Fatal(err)
	}
	if p, _ := sc.paused(); !p {
		t.Error("the scanner runs while the manager's area is open")
	}
	test.Tap(r.k.manager.back)
	if p, _ := sc.paused(); p {
		t.Error("the scanner stays paused back on the scan screen")
	}
}
