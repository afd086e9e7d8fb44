package camera

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"passdesk/api"
	"passdesk/app"
)

const (
	demoFPS  = 5
	demoHold = 3 * time.Second // each pass stays in view this long
)

// demoSource shows the reference service's demo passes in turn, as a
// webcam would see a phone held up to it, so the kiosk can be tried on a
// machine with no camera. The texts are fetched again for every pass, so
// they are fresh; while the service cannot be reached the frame is empty.
type demoSource struct {
	url    string
	client *http.Client
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	logf   func(format string, args ...any)
	rng    *rand.Rand

	first   bool
	shownAt time.Time
	next    int    // index of the pass to show next
	text    string // what is shown, "" for nothing
	failing bool
	img     *image.Gray
}

func newDemoSource(base string, opts Options) (*demoSource, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("camera demo:%s: want demo:http://HOST:PORT", base)
	}
	return &demoSource{
		url:    strings.TrimRight(base, "/") + api.PathDemoPasses,
		client: opts.Client,
		now:    opts.Now,
		sleep:  opts.sleep,
		logf:   opts.Logf,
		rng:    rand.New(rand.NewSource(1)),
		first:  true,
	}, nil
}

func (s *demoSource) State() app.CameraState { return app.CameraOK }
func (s *demoSource) Close() error           { return nil }

func (s *demoSource) Next(ctx context.Context, f *Frame) error {
	if !s.first {
		if err := s.sleep(ctx, time.Second/demoFPS); err != nil {
			return err
		}
	}
	s.first = false
	if now := s.now(); s.img == nil || now.Sub(s.shownAt) >= demoHold {
		s.shownAt = now
		s.show(ctx)
	}
	FrameFromImage(s.img, f)
	return nil
}

// show fetches the passes and renders the next one (or an empty scene).
func (s *demoSource) show(ctx context.Context) {
	passes, err := s.fetch(ctx)
	text := ""
	switch {
	case err != nil:
		if !s.failing {
			s.logf("demo camera: %v; retrying", err)
		}
		s.failing = true
	case len(passes) == 0:
		s.failing = false
	default:
		s.failing = false
		p := passes[s.next%len(passes)]
		s.next++
		text = p.QR
	}
	if text == s.text && s.img != nil {
		return
	}
	img, err := renderScene(text, 1280, 720, s.rng)
	if err != nil {
		s.logf("demo camera: %v", err)
		img, _ = renderScene("", 1280, 720, s.rng)
	}
	s.text, s.img = text, img
}

func (s *demoSource) fetch(ctx context.Context) ([]api.DemoPass, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", s.url, resp.Status)
	}
	var passes []api.DemoPass
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&passes); err != nil {
		return nil, fmt.Errorf("GET %s: %w", s.url, err)
	}
	return passes, nil
}

// renderScene draws a grey desk with a phone screen; when text is not
// empty the screen shows it as a QR code. A little noise makes it look
// like a camera picture.
func renderScene(text string, w, h int, rng *rand.Rand) (*image.Gray, error) {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for x := range row {
			row[x] = uint8(90 + 40*x/w + 20*y/h)
		}
	}
	var bits *gozxing.BitMatrix
	n := 57 // the screen of an idle phone is a blank square
	if text != "" {
		hints := map[gozxing.EncodeHintType]interface{}{
			gozxing.EncodeHintType_ERROR_CORRECTION: "M",
			gozxing.EncodeHintType_MARGIN:           0,
		}
		var err error
		bits, err = qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
		if err != nil {
			return nil, fmt.Errorf("cannot draw %d characters as a QR code: %w", len(text), err)
		}
		n = bits.GetWidth()
	}
	const quiet = 4
	mod := min(6, (h*85/100)/(n+2*quiet))
	mod = max(mod, 1)
	side := (n + 2*quiet) * mod
	x0, y0 := (w-side)/2, (h-side)/2
	// The phone: a dark body around a light screen.
	for y := max(0, y0-3*mod); y < min(h, y0+side+3*mod); y++ {
		for x := max(0, x0-2*mod); x < min(w, x0+side+2*mod); x++ {
			img.Pix[y*img.Stride+x] = 30
		}
	}
	for y := 0; y < side && y0+y < h; y++ {
		for x := 0; x < side && x0+x < w; x++ {
			v := uint8(225)
			mx, my := x/mod-quiet, y/mod-quiet
			if bits != nil && mx >= 0 && my >= 0 && mx < n && my < n && bits.Get(mx, my) {
				v = 35
			}
			img.Pix[(y0+y)*img.Stride+x0+x] = v
		}
	}
	for i, v := range img.Pix {
		img.Pix[i] = uint8(min(255, max(0, int(v)+rng.Intn(9)-4)))
	}
	return img, nil
}
