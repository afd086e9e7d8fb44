package camera

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/blackjack/webcam"
)

// v4l2Device is a webcam through V4L2 (github.com/blackjack/webcam).
type v4l2Device struct {
	path string
	cam  *webcam.Webcam
	buf  []byte // a copy of the newest frame: the mmap buffer goes back to the driver at once
}

// openV4L2 opens path; it fails for nodes that cannot capture video
// (metadata nodes that UVC webcams also create, for instance).
func openV4L2(path string) (Device, error) {
	cam, err := webcam.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &v4l2Device{path: path, cam: cam}, nil
}

func (d *v4l2Device) Info() DeviceInfo {
	info := DeviceInfo{Path: d.path, Formats: map[PixelFormat][]Size{}}
	info.Name, _ = d.cam.GetName()
	for code := range d.cam.GetSupportedFormats() {
		f := PixelFormat(code)
		if f != FormatYUYV && f != FormatMJPEG {
			continue
		}
		for _, fs := range d.cam.GetSupportedFrameSizes(code) {
			if fs.StepWidth == 0 && fs.StepHeight == 0 {
				info.Formats[f] = append(info.Formats[f], Size{int(fs.MaxWidth), int(fs.MaxHeight)})
				continue
			}
			// A stepwise range: offer the usual sizes that fall in it.
			for _, s := range []Size{{640, 480}, {1280, 720}, {1920, 1080}} {
				if uint32(s.Width) >= fs.MinWidth && uint32(s.Width) <= fs.MaxWidth &&
					uint32(s.Height) >= fs.MinHeight && uint32(s.Height) <= fs.MaxHeight {
					info.Formats[f] = append(info.Formats[f], s)
				}
			}
		}
	}
	return info
}

func (d *v4l2Device) SetMode(m Mode) (Mode, error) {
	code, w, h, err := d.cam.SetImageFormat(webcam.PixelFormat(m.Format), uint32(m.Width), uint32(m.Height))
	if err != nil {
		return Mode{}, fmt.Errorf("%s: set format %v %v: %w", d.path, m.Format, m.Size, err)
	}
	got := Mode{Format: PixelFormat(code), Size: Size{int(w), int(h)}, FPS: m.FPS}
	if m.FPS > 0 {
		// Not every driver lets the rate be set; the default is fine then.
		_ = d.cam.SetFramerate(float32(m.FPS))
	}
	if fps, err := d.cam.GetFramerate(); err == nil && fps > 0 {
		got.FPS = float64(fps)
	}
	// Few buffers: the newest frame is the one that matters.
	_ = d.cam.SetBufferCount(2)
	return got, nil
}

func (d *v4l2Device) Start() error { return d.cam.StartStreaming() }

func (d *v4l2Device) ReadFrame(timeout time.Duration) ([]byte, error) {
	secs := uint32((timeout + time.Second - 1) / time.Second)
	if err := d.cam.WaitForFrame(secs); err != nil {
		var t *webcam.Timeout
		if errors.As(err, &t) {
			return nil, ErrTimeout
		}
		return nil, fmt.Errorf("%s: %w", d.path, err)
	}
	data, index, err := d.cam.GetFrame()
	if err != nil {
		return nil, fmt.Errorf("%s: read frame: %w", d.path, err)
	}
	d.buf = append(d.buf[:0], data...)
	if err := d.cam.ReleaseFrame(index); err != nil {
		return nil, fmt.Errorf("%s: release frame: %w", d.path, err)
	}
	if len(d.buf) == 0 {
		return nil, ErrTimeout
	}
	return d.buf, nil
}

func (d *v4l2Device) Close() error { return d.cam.Close() }

// videoNodes lists /dev/video* in number order.
func videoNodes() []string {
	paths, _ := filepath.Glob("/dev/video*")
	sort.Slice(paths, func(i, j int) bool {
		if len(paths[i]) != len(paths[j]) {
			return len(paths[i]) < len(paths[j])
		}
		return paths[i] < paths[j]
	})
	return paths
}

// ListDevices describes the capture devices PassDesk can read: those that
// open and offer YUYV or MJPEG. No devices is an empty list, not an error.
func ListDevices() []DeviceInfo {
	var out []DeviceInfo
	for _, p := range videoNodes() {
		d, err := openV4L2(p)
		if err != nil {
			continue
		}
		info := d.Info()
		_ = d.Close()
		if len(info.Formats) > 0 {
			out = append(out, info)
		}
	}
	return out
}
