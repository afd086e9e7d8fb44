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

// Step is one way of looking at a frame (or at the part of it where the
// finder pre-check saw a code). Plain is what every sighting gets; the
// others are for hard frames (noise, blur, dark mode, tilt).
type Step int

// Decoding steps. TryStep runs any one of them; Decode follows a plan of
// them (strongPlan, weakPlan, smallPlan) and DecodeLive the ones in
// regionSteps and liveSteps (pipeline.go).
const (
	StepPlain              Step = iota // hybrid binarizer over the whole plane
	StepROI                            // the region around the last hit, at full resolution
	StepBlur                           // a 3x3 box blur first: noise stops breaking the finder patterns
	StepHalf                           // a 2x2 average at half size: a stronger blur, a quarter of the work
	StepInvert                         // light modules on dark ground (phones in dark mode)
	StepHarder                         // TRY_HARDER: the finder scans every row
	StepBlurHarder                     // both
	StepGlobal                         // one threshold for the whole frame: low-contrast codes on an even screen
	StepSharpen                        // unsharp mask: blurred modules get their edges back
	StepBlur2                          // the box blur twice: heavy noise
	StepBlurGlobal                     // blur, then one threshold
	StepDouble                         // twice the size, smoothed: codes with modules under 3 pixels (single images only)
	StepAztec                          // an Aztec code, which EU health certificates may use (single images only)
	StepPerspective                    // the bottom-right corner searched for: tilted phones
	StepAztecHalf                      // an Aztec code at half size: a quarter of the cost, for large symbols
	StepStretch                        // blur, then the grey range stretched: faint codes clear the binarizer's contrast floor
	StepBlurPerspective                // blur, then the tilted-code search: noise stops breaking its finder patterns
	StepStretchPerspective             // blur and stretch, then the tilted-code search: faint tilted codes
	numSteps
)

var stepNames = [numSteps]string{"plain", "roi", "blur", "half", "invert", "harder", "blur+harder", "global", "sharpen", "blur2", "blur+global", "double", "aztec", "perspective", "aztec-half", "stretch", "blur+perspective", "stretch+perspective"}

func (s Step) String() string {
	if s < 0 || s >= numSteps {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// Decoder reads QR codes from luminance planes. It keeps its scratch
// buffers between frames, so it allocates little; it is not safe for use
// by more than one goroutine at a time.
type Decoder struct {
	reader  gozxing.Reader
	qr      *qrcode.QRCodeReader
	plain   map[gozxing.DecodeHintType]interface{} // the candidates' guard only (see bounded)
	harder  map[gozxing.DecodeHintType]interface{}
	centres int    // the finder candidates of gozxing's current look (see bounded)
	peak    int    // the most candidates any look gathered; for tests
	plane   []byte // the frame packed to Stride == Width, when it was not
	work    []byte // filtered copies
	work2   []byte
	roi     image.Rectangle
	roiLeft int // frames the ROI stays worth trying
	// roiTries counts the frames the ROI was tried on; for tests
	roiTries int
	// roiModule is the module size of the last hit, 0 when not known
	roiModule float64
	next      int    // the liveSteps entry the next live frame tries
	frame     Frame  // the plane of the last JPEG given to DecodeJPEG
	region    []byte // the part of the frame the finder pre-check points at
	// halfRegion is the other buffer of a region DecodeLive reads at half
	// size (see cutLive)
	halfRegion []byte
	strict     []finder // look's spots while relook scans again
	smaller    []finder // the spots a frame step reads beside a sighting at half size
	spots      []finder // the pre-check's spots of the region's polarity, in its coordinates (see cut)
	finders    finderScan

	// Hits counts the frames each step read and Frames the frames
	// DecodeLive was given; for measurements.
	Hits   [numSteps]int
	Frames int
}

// NewDecoder returns a Decoder with no history.
func NewDecoder() *Decoder {
	qr := qrcode.NewQRCodeReader().(*qrcode.QRCodeReader)
	d := &Decoder{reader: qr, qr: qr}
	guard := gozxing.ResultPointCallback(d.centre)
	d.plain = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: guard}
	d.harder = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: guard}
	return d
}

// maxCentres is the most finder-pattern candidates (and alignment
// patterns) gozxing may gather in one look at an image. Its finder keeps
// every candidate and then weighs every three of them, so its time grows
// with the cube of their count: a picture tiled with finder patterns
// held one decode of a 1280x720 frame for over a minute. A code shows
// three finder patterns, and the busiest of the generated frames (scenes
// and gen, four seeds, every tier, Decode and DecodeLive) showed 21
// candidates in one look; past maxCentres the look ends as if it had
// found nothing, after a few milliseconds at most.
const maxCentres = 128

// tooManyCentres is what centre panics with to end gozxing's look.
type tooManyCentres struct{}

// centre is gozxing's callback for each new candidate it finds.
func (d *Decoder) centre(gozxing.ResultPoint) {
	d.centres++
	d.peak = max(d.peak, d.centres)
	if d.centres > maxCentres {
		panic(tooManyCentres{})
	}
}

// bounded runs look, which asks gozxing's finder (with d.plain or
// d.harder as hints, or d.centre as its callback), with the count of
// candidates at zero, and reports false where the count passed
// maxCentres and ended it; any other panic goes on.
func (d *Decoder) bounded(look func()) (ok bool) {
	d.centres = 0
	defer func() {
		if r := recover(); r != nil {
			if _, guard := r.(tooManyCentres); !guard {
				panic(r)
			}
			ok = false
		}
	}()
	look()
	return true
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
	d.spots = d.spots[:0] // they are the region's
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
	d.roi = r.Intersect(image.Rect(0, 0, w, h))
	d.roiLeft = 15
	d.roiModule = 0
	for _, p := range pts {
		if f, ok := p.(interface{ GetEstimatedModuleSize() float64 }); ok {
			d.roiModule = f.GetEstimatedModuleSize() * float64(scale)
			break
		}
	}
}
