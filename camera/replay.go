package camera

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg" // replay folders hold PNG and JPEG images
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"passdesk/app"
)

// replaySource shows the images of a folder in name order at a fixed rate,
// looping. An empty or missing folder is "no camera" until images appear.
type replaySource struct {
	dir   string
	every time.Duration
	sleep func(ctx context.Context, d time.Duration) error
	logf  func(format string, args ...any)

	state atomic.Value // app.CameraState
	files []string
	i     int
	first bool
}

func newReplaySource(dir string, fps float64, opts Options) *replaySource {
	s := &replaySource{
		dir:   dir,
		every: time.Duration(float64(time.Second) / fps),
		sleep: opts.sleep,
		logf:  opts.Logf,
		first: true,
	}
	s.state.Store(app.CameraNone)
	return s
}

// imageFiles lists the PNG and JPEG files in dir, by name.
func imageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if !e.IsDir() {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *replaySource) Next(ctx context.Context, f *Frame) error {
	for {
		if !s.first {
			if err := s.sleep(ctx, s.every); err != nil {
				return err
			}
		}
		s.first = false
		if s.i >= len(s.files) {
			files, err := imageFiles(s.dir)
			if err != nil || len(files) == 0 {
				if err == nil {
					err = fmt.Errorf("no PNG or JPEG images in %s", s.dir)
				}
				if s.state.Swap(app.CameraNone) != app.CameraNone {
					s.logf("replay: %v", err)
				}
				if err := s.sleep(ctx, backoffMax); err != nil {
					return err
				}
				continue
			}
			s.files, s.i = files, 0
		}
		name := s.files[s.i]
		s.i++
		if err := s.load(name, f); err != nil {
			s.logf("replay: %v", err)
			continue
		}
		s.state.Store(app.CameraOK)
		return nil
	}
}

// load puts the image file name in f. A JPEG is handed on as an MJPEG
// webcam frame is, its bytes to be decoded by the decoding goroutine, so
// that a replay measures what a webcam costs; a PNG is decoded here.
func (s *replaySource) load(name string, f *Frame) error {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		buf, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(buf))
		if err != nil {
			return fmt.Errorf("%s is not a JPEG image: %w", name, err)
		}
		f.setRaw(buf, Mode{Format: FormatMJPEG, Size: Size{cfg.Width, cfg.Height}})
		return nil
	}
	img, err := ReadImage(name)
	if err != nil {
		return err
	}
	f.raw = f.raw[:0]
	FrameFromImage(img, f)
	return nil
}

// ReadImage decodes a PNG or JPEG file.
func ReadImage(name string) (image.Image, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// The header first: image.Decode allocates the whole picture from it
	// before it reads a pixel.
	cfg, format, err := image.DecodeConfig(fh)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG or JPEG image: %w", name, err)
	}
	if err := checkPictureSize(strings.ToUpper(format), cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(fh)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG or JPEG image: %w", name, err)
	}
	return img, nil
}

func (s *replaySource) State() app.CameraState { return s.state.Load().(app.CameraState) }
func (s *replaySource) Close() error           { return nil }
