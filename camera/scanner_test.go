package camera

import (
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/app"
)

// chanSource hands out the frames sent on its channel.
type chanSource struct {
	frames chan genFrame
}

func (s *chanSource) Next(ctx context.Context, f *Frame) error {
	select {
	case g := <-s.frames:
		FrameFromImage(g.img, f)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (s *chanSource) State() app.CameraState { return app.CameraOK }
func (s *chanSource) Close() error           { return nil }

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func recv(t *testing.T, s *Scanner) string {
	t.Helper()
	select {
	case text := <-s.Texts():
		return text
	case <-time.After(10 * time.Second):
		t.Fatal("no text")
	}
	return ""
}

// feedQuiet sends g n times, waits for the scanner to take the frames and checks it reported
// nothing.
func feedQuiet(t *testing.T, s *Scanner, src *chanSource, g genFrame, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		src.frames <- g
	}
	// The mailbox keeps the newest frame: wait until the decoder took it.
	deadline := time.Now().Add(10 * time.Second)
	for len(src.frames) > 0 || len(s.box) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("frames not taken")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case text := <-s.Texts():
		t.Errorf("reported %.20q again", text)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestScannerRepeatAndPause(t *testing.T) {
	frames := genFrames(11, []string{kindEasy}, 2, 640, 480)
	a, b := frames[0], frames[1]
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	src := &chanSource{frames: make(chan genFrame)}
	s := NewScannerFrom(src, Options{Now: clock.Now})
	defer s.Close()

	src.frames <- a
	if got := recv(t, s); got != a.text {
		t.Fatalf("first text %.20q, want %.20q", got, a.text)
	}
	if s.Preview() == nil {
		t.Error("no preview after a frame")
	}
	// The same code within 3 s: not again.
	clock.Add(2 * time.Second)
	feedQuiet(t, s, src, a, 2)
	// Another code at once.
	src.frames <- b
	if got := recv(t, s); got != b.text {
		t.Fatalf("second text %.20q, want %.20q", got, b.text)
	}
	// Paused: nothing, whatever is shown.
	s.Pause(true)
	clock.Add(10 * time.Second)
	feedQuiet(t, s, src, a, 2)
	s.Pause(false)
	src.frames <- a
	if got := recv(t, s); got != a.text {
		t.Fatalf("after pause %.20q, want %.20q", got, a.text)
	}
	// After the repeat time the same code counts again.
	clock.Add(3 * time.Second)
	src.frames <- a
	if got := recv(t, s); got != a.text {
		t.Fatalf("after 3 s %.20q, want %.20q", got, a.text)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-s.Texts(); open {
		t.Error("Texts still open after Close")
	}
}

// TestScannerNewestWins feeds frames faster than they decode and checks
// that the decoder skips to the newest instead of working through them.
func TestScannerNewestWins(t *testing.T) {
	frames := genFrames(12, []string{kindEasy}, 1, 1280, 720)
	none := genFrames(13, []string{kindNone}, 1, 1280, 720)[0]
	src := &chanSource{frames: make(chan genFrame, 64)}
	// Fill the source's queue before the scanner starts: 40 frames without
	// a code, then the code. A decoder with a backlog would take 40 decode
	// times to see it; capture runs ahead and the box keeps only the newest.
	for i := 0; i < 40; i++ {
		src.frames <- none
	}
	src.frames <- frames[0]
	s := NewScannerFrom(src, Options{})
	if got := recv(t, s); got != frames[0].text {
		t.Fatalf("got %.20q", got)
	}
	s.Close()
	if n := s.dec.Frames; n >= 20 {
		t.Errorf("the decoder went through %d of the 41 frames", n)
	}
}

func TestReplaySource(t *testing.T) {
	dir := t.TempDir()
	frames := genFrames(14, []string{kindEasy}, 2, 640, 480)
	for i, g := range frames {
		fh, err := os.Create(filepath.Join(dir, string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fh, g.img); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	os.WriteFile(filepath.Join(dir, "c.png"), []byte("not a png"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("skipped"), 0o644)
	var waits []time.Duration
	opts := Options{sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	src, err := NewSource("replay:"+dir+"@4", opts)
	if err != nil {
		t.Fatal(err)
	}
	src.(*replaySource).sleep = opts.sleep
	var got []string
	for i := 0; i < 4; i++ {
		var f Frame
		if err := src.Next(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
		text, _ := NewDecoder().DecodeLive(&f)
		got = append(got, text)
	}
	want := []string{frames[0].text, frames[1].text, frames[0].text, frames[1].text}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("frame %d: %.20q, want %.20q", i, got[i], want[i])
		}
	}
	if waits[0] != 250*time.Millisecond {
		t.Errorf("wait %v at 4 fps", waits[0])
	}
	if src.State() != app.CameraOK {
		t.Errorf("state %v", src.State())
	}

	empty, _ := NewSource("replay:"+t.TempDir(), opts)
	ctx, cancel := context.WithCancel(context.Background())
	empty.(*replaySource).sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	var f Frame
	if err := empty.Next(ctx, &f); err == nil {
		t.Error("a frame from an empty folder")
	}
	if empty.State() != app.CameraNone {
		t.Errorf("empty folder state %v", empty.State())
	}
}

func TestDemoSource(t *testing.T) {
	passes := []api.DemoPass{
		{Holder: "kim", Label: "vaccinated", QR: pd1TextN(1)},
		{Holder: "lee", Label: "revoked", QR: pd1TextN(2)},
	}
	up := true
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != api.PathDemoPasses || !up {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(passes)
	}))
	defer srv.Close()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	src, err := NewSource("demo:"+srv.URL, Options{Now: clock.Now, sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		var f Frame
		if err := src.Next(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
		text, _ := NewDecoder().DecodeLive(&f)
		return text
	}
	if got := read(); got != passes[0].QR {
		t.Fatalf("first frame %.20q", got)
	}
	clock.Add(time.Second)
	if got := read(); got != passes[0].QR {
		t.Fatalf("the pass changed within its hold time: %.20q", got)
	}
	clock.Add(demoHold)
	if got := read(); got != passes[1].QR {
		t.Fatalf("second pass %.20q", got)
	}
	mu.Lock()
	up = false
	mu.Unlock()
	clock.Add(demoHold)
	if got := read(); got != "" {
		t.Fatalf("service down, yet the frame shows %.20q", got)
	}
	mu.Lock()
	up = true
	mu.Unlock()
	clock.Add(demoHold)
	if got := read(); got != passes[0].QR {
		t.Fatalf("after the service came back %.20q", got)
	}
}

func pd1TextN(seed int64) string {
	return genFrames(seed, []string{kindEasy}, 1, 64, 64)[0].text
}
