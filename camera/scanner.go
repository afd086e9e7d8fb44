package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/app"
)

var _ app.Scanner = (*Scanner)(nil)

// Options tune a Scanner; the zero value is the kiosk's defaults.
type Options struct {
	Width, Height int           // size asked of a webcam; default 1280x720
	FPS           float64       // webcam rate; default 30
	Repeat        time.Duration // the same text is not reported again within this; default 3 s
	PreviewFPS    float64       // preview updates a second; default 10
	PreviewWidth  int           // preview width in pixels; default 640
	Now           func() time.Time
	Logf          func(format string, args ...any) // default: discard
	Client        *http.Client                     // for demo:URL; default a client with a 3 s timeout

	// Test hooks: how devices are opened and listed, how the sources wait,
	// and what each decoded frame cost: when its source gave it, when
	// decoding began and when it was decided (the preview excluded), and
	// the CPU time to the decision.
	// cpu, when set, is the decoding thread's CPU time, and the decoding
	// goroutine keeps its thread.
	observe func(got, began, done time.Time, cpu time.Duration)
	cpu     func() time.Duration
	open    func(path string) (Device, error)
	nodes   func() []string
	sleep   func(ctx context.Context, d time.Duration) error
}

func (o *Options) defaults() {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1280, 720
	}
	if o.FPS <= 0 {
		o.FPS = 30
	}
	if o.Repeat <= 0 {
		o.Repeat = 3 * time.Second
	}
	if o.PreviewFPS <= 0 {
		o.PreviewFPS = 10
	}
	if o.PreviewWidth <= 0 {
		o.PreviewWidth = 640
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 3 * time.Second}
	}
	if o.open == nil {
		o.open = openV4L2
	}
	if o.nodes == nil {
		o.nodes = videoNodes
	}
	if o.sleep == nil {
		o.sleep = sleepCtx
	}
}

// NewSource returns the frame source a spec names:
//
//	auto               the first usable /dev/video*; none until one appears
//	none               no camera
//	/dev/videoN        that device
//	replay:DIR[@FPS]   the PNG and JPEG images in DIR, in name order, looping (default 5 fps)
//	demo:URL           fresh demo passes from the reference service at URL
func NewSource(spec string, opts Options) (Source, error) {
	opts.defaults()
	switch {
	case spec == "auto":
		return newWebcamSource("", opts), nil
	case spec == "none" || spec == "":
		return noneSource{}, nil
	case strings.HasPrefix(spec, "/dev/"):
		return newWebcamSource(spec, opts), nil
	case strings.HasPrefix(spec, "replay:"):
		dir, fps := strings.TrimPrefix(spec, "replay:"), 5.0
		if i := strings.LastIndexByte(dir, '@'); i >= 0 {
			v, err := strconv.ParseFloat(dir[i+1:], 64)
			if err != nil || v <= 0 || v > 120 {
				return nil, fmt.Errorf("camera %q: the rate after @ must be a number of frames a second (0 to 120)", spec)
			}
			dir, fps = dir[:i], v
		}
		if dir == "" {
			return nil, fmt.Errorf("camera %q: replay needs a folder", spec)
		}
		return newReplaySource(dir, fps, opts), nil
	case strings.HasPrefix(spec, "demo:"):
		return newDemoSource(strings.TrimPrefix(spec, "demo:"), opts)
	}
	return nil, fmt.Errorf("camera %q: want auto, none, /dev/videoN, replay:DIR[@FPS] or demo:URL", spec)
}

// Scanner reads frames from a source and delivers the QR texts in them.
// Capture and decoding run in two goroutines joined by a one-frame
// mailbox: the decoder always takes the newest frame and never works
// through a backlog, and decoding uses one core at most.
type Scanner struct {
	src    Source
	opts   Options
	dec    *Decoder
	texts  chan string
	box    chan *Frame // the newest frame, at most one
	free   chan *Frame // frames to fill
	paused atomic.Bool
	prev   atomic.Pointer[image.RGBA]

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	lastText string
	lastAt   time.Time
	lastPrev time.Time
}

// NewScanner starts reading the source spec names (see NewSource).
func NewScanner(spec string, opts Options) (*Scanner, error) {
	src, err := NewSource(spec, opts)
	if err != nil {
		return nil, err
	}
	return NewScannerFrom(src, opts), nil
}

// NewScannerFrom starts reading src.
func NewScannerFrom(src Source, opts Options) *Scanner {
	opts.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scanner{
		src:    src,
		opts:   opts,
		dec:    NewDecoder(),
		texts:  make(chan string, 4),
		box:    make(chan *Frame, 1),
		free:   make(chan *Frame, 3),
		cancel: cancel,
	}
	// Three frames: one in the mailbox, one being decoded, one being filled.
	for i := 0; i < 3; i++ {
		s.free <- new(Frame)
	}
	s.wg.Add(2)
	go s.capture(ctx)
	go s.decode(ctx)
	return s
}

// Texts delivers each decoded text once; the same text again only after
// Options.Repeat.
func (s *Scanner) Texts() <-chan string { return s.texts }

// Preview returns the newest preview frame, nil when there is none.
func (s *Scanner) Preview() image.Image {
	if p := s.prev.Load(); p != nil {
		return p
	}
	return nil
}

// State is the source's state.
func (s *Scanner) State() app.CameraState { return s.src.State() }

// Pause stops decoding (the preview goes on) until Pause(false).
func (s *Scanner) Pause(paused bool) { s.paused.Store(paused) }

// Close stops both goroutines and closes the source; Texts is closed.
func (s *Scanner) Close() error {
	var err error
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
		err = s.src.Close()
		close(s.texts)
	})
	return err
}

func (s *Scanner) capture(ctx context.Context) {
	defer s.wg.Done()
	for {
		var f *Frame
		select {
		case f = <-s.free:
		case <-ctx.Done():
			return
		}
		if err := s.src.Next(ctx, f); err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				s.opts.Logf("camera: %v", err)
			}
			return
		}
		f.got = s.opts.Now()
		// Only this goroutine puts frames in the box: after taking an old
		// one out, the put cannot block.
		select {
		case s.box <- f:
		default:
			select {
			case old := <-s.box:
				s.free <- old
			default:
			}
			s.box <- f
		}
	}
}

func (s *Scanner) decode(ctx context.Context) {
	defer s.wg.Done()
	if s.opts.cpu != nil {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	for {
		var f *Frame
		select {
		case f = <-s.box:
		case <-ctx.Done():
			return
		}
		began, c0 := s.opts.Now(), s.cpuNow()
		text, ok := s.handle(f)
		if s.opts.observe != nil {
			s.opts.observe(f.got, began, s.opts.Now(), s.cpuNow()-c0)
		}
		if ok {
			select {
			case s.texts <- text:
			case <-ctx.Done():
				return
			}
		}
		// The preview comes after the text: a verdict does not wait for it.
		s.previewIfDue(f)
		s.free <- f
	}
}

// previewIfDue updates the preview from f when the preview rate says so.
func (s *Scanner) previewIfDue(f *Frame) {
	if !f.valid() {
		return
	}
	now := s.opts.Now()
	if now.Sub(s.lastPrev) >= time.Duration(float64(time.Second)/s.opts.PreviewFPS) {
		s.lastPrev = now
		s.prev.Store(s.preview(f))
	}
}

// handle converts and decodes one frame; ok when it holds a text to
// report.
func (s *Scanner) handle(f *Frame) (string, bool) {
	if err := f.load(); err != nil {
		s.opts.Logf("camera: %v", err)
		f.Width, f.Height = 0, 0 // nothing to preview
		return "", false
	}
	now := s.opts.Now()
	if s.paused.Load() {
		return "", false
	}
	text, err := s.dec.DecodeLive(f)
	if err != nil {
		return "", false
	}
	if text == s.lastText && now.Sub(s.lastAt) < s.opts.Repeat {
		return "", false
	}
	s.lastText, s.lastAt = text, now
	return text, true
}

func (s *Scanner) cpuNow() time.Duration {
	if s.opts.cpu == nil {
		return 0
	}
	return s.opts.cpu()
}

// preview is f for the screen: an MJPEG frame is decoded again in colour,
// shrunk by the JPEG's own scaling; others are scaled from their planes.
func (s *Scanner) preview(f *Frame) *image.RGBA {
	if f.jpeg != nil {
		if img, err := PreviewJPEG(f.jpeg, s.opts.PreviewWidth); err == nil {
			return img
		}
	}
	return previewImage(f, s.opts.PreviewWidth)
}
