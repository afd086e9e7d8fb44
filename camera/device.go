package camera

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// PixelFormat is a V4L2 pixel format code (a FourCC).
type PixelFormat uint32

// The formats PassDesk reads.
const (
	FormatYUYV  PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
	FormatMJPEG PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
)

func (p PixelFormat) String() string {
	return string([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
}

// Size is a frame size in pixels.
type Size struct{ Width, Height int }

func (s Size) String() string { return fmt.Sprintf("%dx%d", s.Width, s.Height) }

// Mode is what a device streams: a format, a size and a rate.
type Mode struct {
	Format PixelFormat
	Size
	FPS float64
}

// DeviceInfo describes a capture device for the settings screen and
// `passdesk doctor`.
type DeviceInfo struct {
	Path    string
	Name    string
	Formats map[PixelFormat][]Size // only the formats PassDesk reads
}

// Device is the little of a capture device the camera source needs;
// the V4L2 webcam satisfies it, and so does a fake in the tests.
type Device interface {
	Info() DeviceInfo
	// SetMode asks for a mode and returns the one the device chose.
	SetMode(m Mode) (Mode, error)
	Start() error
	// ReadFrame waits up to timeout for a frame and returns its bytes,
	// valid until the next call; ErrTimeout when none came.
	ReadFrame(timeout time.Duration) ([]byte, error)
	Close() error
}

// ErrTimeout means no frame arrived in time; the device may still be fine.
var ErrTimeout = errors.New("no frame within the timeout")

// ErrNoDevice means there is no usable capture device.
var ErrNoDevice = errors.New("no usable camera")

// chooseMode picks the format and size to ask for: the size nearest to
// want (by area, then by shape), YUYV when it offers that size (no JPEG
// decoding), else MJPEG.
func chooseMode(info DeviceInfo, want Size, fps float64) (Mode, error) {
	type cand struct {
		f PixelFormat
		s Size
	}
	var cands []cand
	for _, f := range []PixelFormat{FormatYUYV, FormatMJPEG} {
		for _, s := range info.Formats[f] {
			if s.Width > 0 && s.Height > 0 {
				cands = append(cands, cand{f, s})
			}
		}
	}
	if len(cands) == 0 {
		return Mode{}, fmt.Errorf("%s offers neither YUYV nor MJPEG: %w", info.Path, ErrNoDevice)
	}
	dist := func(s Size) float64 {
		a, b := float64(s.Width*s.Height), float64(want.Width*want.Height)
		d := a/b - 1
		if d < 0 {
			d = -d * 3 // smaller than asked loses detail: prefer larger
		}
		return d
	}
	sort.SliceStable(cands, func(i, j int) bool {
		di, dj := dist(cands[i].s), dist(cands[j].s)
		if di != dj {
			return di < dj
		}
		return cands[i].f == FormatYUYV && cands[j].f != FormatYUYV
	})
	return Mode{Format: cands[0].f, Size: cands[0].s, FPS: fps}, nil
}
