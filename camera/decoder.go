package camera

import (
	"errors"
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode means no QR code could be read in the frame.
var ErrNoCode = errors.New("no QR code found")

// Step is one way of looking at a frame. Plain is what every frame gets;
// the others are the fallbacks for hard frames (noise, blur, dark mode).
type Step int

// Decoding steps. TryStep runs any one of them; Decode and DecodeLive use
// the ones in fallbacks and lastResort. TRY_HARDER (StepHarder,
// StepBlurHarder) stays measurable but is in neither list: on the
// generated frames it read nothing the other steps missed.
const (
	StepPlain       Step = iota // hybrid binarizer over the whole plane
	StepROI                     // the region around the last hit, at full resolution
	StepBlur                    // a 3x3 box blur first: noise stops breaking the finder patterns
	StepHalf                    // a 2x2 average at half size: a stronger blur, a quarter of the work
	StepInvert                  // light modules on dark ground (phones in dark mode)
	StepHarder                  // TRY_HARDER: the finder scans every row
	StepBlurHarder              // both
	StepGlobal                  // one threshold for the whole frame: low-contrast codes on an even screen
	StepSharpen                 // unsharp mask: blurred modules get their edges back
	StepBlur2                   // the box blur twice: heavy noise
	StepBlurGlobal              // blur, then one threshold
	StepDouble                  // twice the size, smoothed: codes with modules under 3 pixels (single images only)
	StepAztec                   // an Aztec code, which EU health certificates may use (single images only)
	StepPerspective             // the bottom-right corner searched for: tilted phones
	numSteps
)

var stepNames = [numSteps]string{"plain", "roi", "blur", "half", "invert", "harder", "blur+harder", "global", "sharpen", "blur2", "blur+global", "double", "aztec", "perspective"}

func (s Step) String() string {
	if s < 0 || s >= numSteps {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// fallbacks is the order the hard-frame steps are tried in, most useful
// first as measured on the generated hard frames. A live scanner tries one
// of them every other frame, in turn, so a frame costs at most two
// attempts; a single image gets them all.
var fallbacks = []Step{StepBlur, StepInvert, StepGlobal, StepHalf, StepSharpen, StepBlur2, StepBlurGlobal, StepPerspective}

// Decoder reads QR codes from luminance planes. It keeps its scratch
// buffers between frames, so it allocates little; it is not safe for use
// by more than one goroutine at a time.
type Decoder struct {
	reader  gozxing.Reader
	qr      *qrcode.QRCodeReader
	harder  map[gozxing.DecodeHintType]interface{}
	plane   []byte // the frame packed to Stride == Width, when it was not
	work    []byte // filtered copies
	work2   []byte
	roi     image.Rectangle
	roiLeft int // frames the ROI stays worth trying
	next    int // the fallback the next live frame tries

	// Hits counts the frames each step read and Frames the frames
	// DecodeLive was given; for measurements.
	Hits   [numSteps]int
	Frames int
}

// NewDecoder returns a Decoder with no history.
func NewDecoder() *Decoder {
	qr := qrcode.NewQRCodeReader().(*qrcode.QRCodeReader)
	return &Decoder{
		reader: qr,
		qr:     qr,
		harder: map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true},
	}
}

// lastResort are the steps only a single image gets: they cost several
// plain attempts each.
var lastResort = []Step{StepAztec, StepDouble}

// Decode reads f trying every step until one succeeds: the full effort,
// for a single image.
func (d *Decoder) Decode(f *Frame) (string, error) {
	if !f.valid() {
		return "", fmt.Errorf("frame of %dx%d with stride %d and %d bytes is not a picture", f.Width, f.Height, f.Stride, len(f.Y))
	}
	y := d.pack(f)
	if text, ok := d.try(StepPlain, y, f.Width, f.Height); ok {
		return text, nil
	}
	for _, s := range fallbacks {
		if text, ok := d.try(s, y, f.Width, f.Height); ok {
			return text, nil
		}
	}
	for _, s := range lastResort {
		if text, ok := d.try(s, y, f.Width, f.Height); ok {
			return text, nil
		}
	}
	return "", ErrNoCode
}

// DecodeLive reads one frame of a stream within a bounded budget: the
// region of the last hit (while it is recent), the plain attempt, and on
// every other frame one fallback, a different one each time. A code held
// in front of the camera is seen on many frames, so every fallback gets
// its turn within 2*len(fallbacks) frames (under half a second at 30 fps).
func (d *Decoder) DecodeLive(f *Frame) (string, error) {
	if !f.valid() {
		return "", fmt.Errorf("frame of %dx%d with stride %d and %d bytes is not a picture", f.Width, f.Height, f.Stride, len(f.Y))
	}
	d.Frames++
	y := d.pack(f)
	if d.roiLeft > 0 {
		d.roiLeft--
		if text, ok := d.try(StepROI, y, f.Width, f.Height); ok {
			return text, nil
		}
	}
	if text, ok := d.try(StepPlain, y, f.Width, f.Height); ok {
		return text, nil
	}
	// A fallback on every other frame only: most frames hold no code, and
	// a code in view stays there for many frames.
	d.next++
	if d.next%2 == 0 {
		return "", ErrNoCode
	}
	s := fallbacks[(d.next/2)%len(fallbacks)]
	if text, ok := d.try(s, y, f.Width, f.Height); ok {
		return text, nil
	}
	return "", ErrNoCode
}

// TryStep runs a single step on f; for measuring what each step is worth.
func (d *Decoder) TryStep(s Step, f *Frame) (string, bool) {
	if !f.valid() || s < 0 || s >= numSteps {
		return "", false
	}
	return d.try(s, d.pack(f), f.Width, f.Height)
}

// pack returns f's plane with rows back to back.
func (d *Decoder) pack(f *Frame) []byte {
	if f.Stride == f.Width {
		return f.Y[:f.Width*f.Height]
	}
	d.plane = grow(d.plane, f.Width*f.Height)
	for y := 0; y < f.Height; y++ {
		copy(d.plane[y*f.Width:(y+1)*f.Width], f.Y[y*f.Stride:])
	}
	return d.plane
}

// try runs step s over the plane y (w x h); a hit is counted and its
// place remembered for the next frames.
func (d *Decoder) try(s Step, y []byte, w, h int) (string, bool) {
	at := steps[s](d, y, w, h)
	if at.res == nil {
		return "", false
	}
	d.Hits[s]++
	d.remember(at.res.GetResultPoints(), max(at.scale, 1), at.off, w, h)
	return at.res.GetText(), true
}

// remember keeps the region around the finder patterns of a hit, grown
// by the code's own size, so the next frames look there first.
func (d *Decoder) remember(pts []gozxing.ResultPoint, scale int, off image.Point, w, h int) {
	if len(pts) < 3 {
		return
	}
	minX, minY := pts[0].GetX(), pts[0].GetY()
	maxX, maxY := minX, minY
	for _, p := range pts[1:] {
		minX, maxX = min(minX, p.GetX()), max(maxX, p.GetX())
		minY, maxY = min(minY, p.GetY()), max(maxY, p.GetY())
	}
	side := max(maxX-minX, maxY-minY)
	r := image.Rect(int(minX-side*0.3), int(minY-side*0.3), int(maxX+side*0.3)+1, int(maxY+side*0.3)+1)
	r = image.Rectangle{Min: r.Min.Mul(scale), Max: r.Max.Mul(scale)}.Add(off)
	d.roi = r.Intersect(image.Rect(0, 0, w*scale, h*scale))
	d.roiLeft = 15
}
