package camera

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"passdesk/app"
)

// Source produces frames. Next blocks until it has filled f with the
// newest frame or ctx is done; a source that loses its camera keeps trying
// to get it back inside Next and reports so through State. Next and Close
// are called from one goroutine.
type Source interface {
	Next(ctx context.Context, f *Frame) error
	State() app.CameraState
	Close() error
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Reconnection backoff: quick at first (a loose cable), then every few
// seconds.
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 4 * time.Second
	// readTimeout bounds one wait for a frame; after lostAfter timeouts in
	// a row the device counts as gone and is reopened.
	readTimeout = time.Second
	lostAfter   = 3
)

// webcamSource reads a V4L2 device (a named one, or the first usable one
// for "auto") and reopens it after an unplug.
type webcamSource struct {
	path  string // "" for the first usable device
	want  Size
	fps   float64
	open  func(path string) (Device, error)
	nodes func() []string
	sleep func(ctx context.Context, d time.Duration) error
	logf  func(format string, args ...any)

	state    atomic.Value // app.CameraState
	dev      Device
	mode     Mode
	had      bool // a device was open once: losing it is "disconnected"
	backoff  time.Duration
	timeouts int
}

func newWebcamSource(path string, opts Options) *webcamSource {
	s := &webcamSource{
		path:  path,
		want:  Size{opts.Width, opts.Height},
		fps:   opts.FPS,
		open:  opts.open,
		nodes: opts.nodes,
		sleep: opts.sleep,
		logf:  opts.Logf,
	}
	s.state.Store(app.CameraNone)
	return s
}

func (s *webcamSource) State() app.CameraState { return s.state.Load().(app.CameraState) }

// Mode is the mode the open device streams, zero when none is open.
func (s *webcamSource) Mode() Mode { return s.mode }

func (s *webcamSource) Next(ctx context.Context, f *Frame) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.dev == nil {
			if err := s.connect(); err != nil {
				if s.had {
					s.state.Store(app.CameraDisconnected)
				} else {
					s.state.Store(app.CameraNone)
				}
				if err := s.wait(ctx); err != nil {
					return err
				}
				continue
			}
			s.backoff, s.timeouts, s.had = 0, 0, true
			s.state.Store(app.CameraOK)
		}
		buf, err := s.dev.ReadFrame(readTimeout)
		switch {
		case errors.Is(err, ErrTimeout):
			s.timeouts++
			if s.timeouts < lostAfter {
				continue
			}
			err = fmt.Errorf("no frame for %v", time.Duration(lostAfter)*readTimeout)
		case err == nil && len(buf) > 0:
			s.timeouts = 0
			f.setRaw(buf, s.mode)
			return nil
		case err == nil:
			continue
		}
		// ENODEV after an unplug, EIO, or silence: start again.
		s.logf("camera %s lost: %v", s.mode, err)
		s.drop()
		s.state.Store(app.CameraDisconnected)
		if err := s.wait(ctx); err != nil {
			return err
		}
	}
}

// wait sleeps the backoff, doubling it for next time.
func (s *webcamSource) wait(ctx context.Context) error {
	s.backoff = min(max(2*s.backoff, backoffMin), backoffMax)
	return s.sleep(ctx, s.backoff)
}

// connect opens the named device, or the first usable one, and starts it.
func (s *webcamSource) connect() error {
	paths := []string{s.path}
	if s.path == "" {
		paths = s.nodes()
	}
	var firstErr error
	for _, p := range paths {
		err := s.start(p)
		if err == nil {
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = ErrNoDevice
	}
	return firstErr
}

func (s *webcamSource) start(path string) error {
	dev, err := s.open(path)
	if err != nil {
		return err
	}
	mode, err := chooseMode(dev.Info(), s.want, s.fps)
	if err == nil {
		mode, err = dev.SetMode(mode)
	}
	if err == nil && mode.Format != FormatYUYV && mode.Format != FormatMJPEG {
		err = fmt.Errorf("%s: the device chose %v, which PassDesk does not read", path, mode.Format)
	}
	if err == nil {
		err = dev.Start()
	}
	if err != nil {
		_ = dev.Close()
		return err
	}
	s.dev, s.mode = dev, mode
	s.logf("camera %s: %v %v at %.0f fps", path, mode.Format, mode.Size, mode.FPS)
	return nil
}

func (s *webcamSource) drop() {
	if s.dev != nil {
		_ = s.dev.Close()
		s.dev = nil
	}
	s.mode = Mode{}
	s.timeouts = 0
}

func (s *webcamSource) Close() error {
	s.drop()
	s.state.Store(app.CameraNone)
	return nil
}

// noneSource is "no camera": it only waits.
type noneSource struct{}

func (noneSource) Next(ctx context.Context, _ *Frame) error {
	<-ctx.Done()
	return ctx.Err()
}
func (noneSource) State() app.CameraState { return app.CameraNone }
func (noneSource) Close() error           { return nil }
