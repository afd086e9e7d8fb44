package camera

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"syscall"
	"testing"
	"time"

	"passdesk/app"
)

// fakeDevice streams YUYV frames until told to fail.
type fakeDevice struct {
	info    DeviceInfo
	frame   []byte
	fail    error // returned by ReadFrame once set
	closed  bool
	started bool
	mode    Mode
}

func (d *fakeDevice) Info() DeviceInfo { return d.info }
func (d *fakeDevice) SetMode(m Mode) (Mode, error) {
	d.mode = m
	return m, nil
}
func (d *fakeDevice) Start() error { d.started = true; return nil }
func (d *fakeDevice) ReadFrame(time.Duration) ([]byte, error) {
	if d.fail != nil {
		return nil, d.fail
	}
	return d.frame, nil
}
func (d *fakeDevice) Close() error { d.closed = true; return nil }

// fakeCams plays the system: which devices exist and what opening gives.
type fakeCams struct {
	present map[string]*fakeDevice
	opens   int
	sleeps  []time.Duration
}

func (c *fakeCams) options() Options {
	return Options{
		open: func(p string) (Device, error) {
			c.opens++
			d, ok := c.present[p]
			if !ok {
				return nil, fmt.Errorf("open %s: %w", p, syscall.ENOENT)
			}
			d.fail, d.closed = nil, false
			return d, nil
		},
		nodes: func() []string {
			var out []string
			for _, p := range []string{"/dev/video0", "/dev/video1"} {
				if _, ok := c.present[p]; ok {
					out = append(out, p)
				}
			}
			return out
		},
		sleep: func(ctx context.Context, d time.Duration) error {
			c.sleeps = append(c.sleeps, d)
			return ctx.Err()
		},
	}
}

func newFakeDevice(path string) *fakeDevice {
	return &fakeDevice{
		info: DeviceInfo{Path: path, Name: "Fake Cam", Formats: map[PixelFormat][]Size{
			FormatYUYV:  {{640, 480}},
			FormatMJPEG: {{640, 480}, {1280, 720}},
		}},
		frame: make([]byte, 1280*720*2),
	}
}

func TestReconnect(t *testing.T) {
	ctx := context.Background()
	cams := &fakeCams{present: map[string]*fakeDevice{}}
	src, err := NewSource("/dev/video0", cams.options())
	if err != nil {
		t.Fatal(err)
	}
	ws := src.(*webcamSource)
	if got, want := src.State(), app.CameraNone; got != want {
		t.Fatalf("state before any frame = %v, want %v", got, want)
	}

	// Not plugged in: the source waits with a growing backoff, state none.
	// The test's sleep counts the waits; plugging in after three of them.
	dev := newFakeDevice("/dev/video0")
	opts := cams.options()
	inner := opts.sleep
	ws.sleep = func(ctx context.Context, d time.Duration) error {
		if len(cams.sleeps) == 2 {
			cams.present["/dev/video0"] = dev
		}
		if src.State() != app.CameraNone && len(cams.sleeps) < 3 {
			t.Errorf("state while never connected = %v", src.State())
		}
		return inner(ctx, d)
	}
	var f Frame
	if err := src.Next(ctx, &f); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(cams.sleeps), "[250ms 500ms 1s]"; got != want {
		t.Errorf("backoff = %s, want %s", got, want)
	}
	if got, want := src.State(), app.CameraOK; got != want {
		t.Errorf("state = %v, want %v", got, want)
	}
	// 1280x720 MJPEG is nearer the default size than 640x480 YUYV.
	if got, want := ws.Mode(), (Mode{FormatMJPEG, Size{1280, 720}, 30}); got != want {
		t.Errorf("mode = %+v, want %+v", got, want)
	}

	// Unplugged: ENODEV, state disconnected, backoff from the start, the
	// device is closed, and it is reopened when it comes back.
	dev.fail = syscall.ENODEV
	delete(cams.present, "/dev/video0")
	cams.sleeps = nil
	var states []app.CameraState
	ws.sleep = func(ctx context.Context, d time.Duration) error {
		states = append(states, src.State())
		if len(cams.sleeps) == 3 {
			cams.present["/dev/video0"] = dev
		}
		return inner(ctx, d)
	}
	if err := src.Next(ctx, &f); err != nil {
		t.Fatal(err)
	}
	if !dev.started {
		t.Error("device not started")
	}
	if got, want := fmt.Sprint(cams.sleeps), "[250ms 500ms 1s 2s]"; got != want {
		t.Errorf("backoff after unplug = %s, want %s", got, want)
	}
	for _, s := range states {
		if s != app.CameraDisconnected {
			t.Errorf("state while unplugged = %v, want %v", s, app.CameraDisconnected)
		}
	}
	if got, want := src.State(), app.CameraOK; got != want {
		t.Errorf("state after replug = %v, want %v", got, want)
	}

	// Silence counts as lost after a few timeouts.
	dev.fail = ErrTimeout
	cams.sleeps = nil
	ws.sleep = func(ctx context.Context, d time.Duration) error {
		dev.fail = nil
		return inner(ctx, d)
	}
	if err := src.Next(ctx, &f); err != nil {
		t.Fatal(err)
	}
	if len(cams.sleeps) != 1 {
		t.Errorf("waits after a silent device = %v, want one", cams.sleeps)
	}

	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if !dev.closed {
		t.Error("Close left the device open")
	}
}

func TestAutoPicksFirstUsable(t *testing.T) {
	cams := &fakeCams{present: map[string]*fakeDevice{}}
	meta := newFakeDevice("/dev/video0")
	meta.info.Formats = map[PixelFormat][]Size{} // a metadata node: no formats
	cams.present["/dev/video0"] = meta
	cams.present["/dev/video1"] = newFakeDevice("/dev/video1")
	src, err := NewSource("auto", cams.options())
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := src.Next(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	if !meta.closed {
		t.Error("the unusable node was left open")
	}
	if got := src.(*webcamSource).Mode(); got.Width != 1280 {
		t.Errorf("mode %+v", got)
	}
	if len(cams.sleeps) != 0 {
		t.Errorf("waited %v with a usable camera present", cams.sleeps)
	}
}

func TestNoCameraIsAState(t *testing.T) {
	cams := &fakeCams{present: map[string]*fakeDevice{}}
	src, err := NewSource("auto", cams.options())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	src.(*webcamSource).sleep = func(ctx context.Context, d time.Duration) error {
		cams.sleeps = append(cams.sleeps, d)
		if len(cams.sleeps) == 6 {
			cancel()
		}
		return ctx.Err()
	}
	var f Frame
	if err := src.Next(ctx, &f); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next = %v, want context.Canceled", err)
	}
	if got, want := src.State(), app.CameraNone; got != want {
		t.Errorf("state = %v, want %v", got, want)
	}
	if got, want := cams.sleeps[len(cams.sleeps)-1], backoffMax; got != want {
		t.Errorf("backoff grew to %v, want %v", got, want)
	}
}

func TestChooseMode(t *testing.T) {
	for _, c := range []struct {
		name    string
		formats map[PixelFormat][]Size
		want    Mode
	}{
		{"exact yuyv", map[PixelFormat][]Size{FormatYUYV: {{1280, 720}}, FormatMJPEG: {{1280, 720}}}, Mode{FormatYUYV, Size{1280, 720}, 30}},
		{"mjpeg only", map[PixelFormat][]Size{FormatMJPEG: {{640, 480}, {1920, 1080}}}, Mode{FormatMJPEG, Size{1920, 1080}, 30}},
		{"small only", map[PixelFormat][]Size{FormatYUYV: {{320, 240}, {640, 480}}}, Mode{FormatYUYV, Size{640, 480}, 30}},
		{"nearest", map[PixelFormat][]Size{FormatYUYV: {{960, 720}, {1920, 1080}}}, Mode{FormatYUYV, Size{960, 720}, 30}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := chooseMode(DeviceInfo{Formats: c.formats}, Size{1280, 720}, 30)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	if _, err := chooseMode(DeviceInfo{Formats: map[PixelFormat][]Size{}}, Size{1280, 720}, 30); !errors.Is(err, ErrNoDevice) {
		t.Errorf("no formats: %v", err)
	}
}

func TestNewSourceSpecs(t *testing.T) {
	for _, spec := range []string{"auto", "none", "/dev/video3", "replay:/tmp", "replay:/tmp@2.5", "demo:http://127.0.0.1:8787"} {
		if _, err := NewSource(spec, Options{}); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
	for _, spec := range []string{"webcam", "replay:", "replay:/tmp@x", "replay:/tmp@0", "demo:", "demo:ftp://x", "demo:127.0.0.1"} {
		if _, err := NewSource(spec, Options{}); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
}

// TestScannerFromWebcam runs the whole path a webcam frame takes: device
// bytes (YUYV, then MJPEG without Huffman tables), the source, the
// mailbox, conversion in the decoder goroutine, decoding, a text.
func TestScannerFromWebcam(t *testing.T) {
	g := genFrames(15, []string{kindEasy}, 1, 1280, 720)[0]
	rgba := image.NewRGBA(g.img.Bounds())
	for i, v := range g.img.Pix {
		copy(rgba.Pix[4*i:], []byte{v, v, v, 255})
	}
	var mj bytes.Buffer
	if err := jpeg.Encode(&mj, rgba, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		sizes map[PixelFormat][]Size
		frame []byte
	}{
		{"yuyv", map[PixelFormat][]Size{FormatYUYV: {{1280, 720}}}, yuyvOf(g.img, 128, 128)},
		{"mjpeg", map[PixelFormat][]Size{FormatMJPEG: {{1280, 720}}}, stripDHT(t, mj.Bytes())},
	} {
		t.Run(c.name, func(t *testing.T) {
			dev := newFakeDevice("/dev/video0")
			dev.info.Formats, dev.frame = c.sizes, c.frame
			cams := &fakeCams{present: map[string]*fakeDevice{"/dev/video0": dev}}
			s, err := NewScanner("auto", cams.options())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := recv(t, s); got != g.text {
				t.Fatalf("got %.20q", got)
			}
			if got, want := s.State(), app.CameraOK; got != want {
				t.Errorf("state %v, want %v", got, want)
			}
			if p := waitPreview(s); p == nil || p.Bounds().Dx() != 640 {
				t.Errorf("preview %v", p)
			}
		})
	}
}
