package camera

import (
	"errors"
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
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

// minAztecText is the shortest Aztec text accepted.
const minAztecText = 16

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

func (d *Decoder) try(s Step, y []byte, w, h int) (string, bool) {
	var (
		text  string
		ok    bool
		scale = 1
		off   image.Point
		res   *gozxing.Result
	)
	switch s {
	case StepPlain:
		res = d.read(y, w, h, image.Rect(0, 0, w, h), nil)
	case StepROI:
		r := d.roi.Intersect(image.Rect(0, 0, w, h))
		if r.Dx() < 40 || r.Dy() < 40 || r.Dx()*r.Dy() > w*h*3/4 {
			return "", false // too small to hold the code, or not worth cropping
		}
		// Copied into the work buffer: the reader's own crop allocates.
		rw, rh := r.Dx(), r.Dy()
		d.work = grow(d.work, rw*rh)
		for i := 0; i < rh; i++ {
			copy(d.work[i*rw:(i+1)*rw], y[(r.Min.Y+i)*w+r.Min.X:])
		}
		res = d.read(d.work, rw, rh, image.Rect(0, 0, rw, rh), nil)
		off = r.Min
	case StepBlur:
		d.work = grow(d.work, w*h)
		boxBlur3(d.work, y, w, h)
		res = d.read(d.work, w, h, image.Rect(0, 0, w, h), nil)
	case StepBlurHarder:
		d.work = grow(d.work, w*h)
		boxBlur3(d.work, y, w, h)
		res = d.read(d.work, w, h, image.Rect(0, 0, w, h), d.harder)
	case StepHalf:
		hw, hh := w/2, h/2
		d.work = grow(d.work, hw*hh)
		halve(d.work, y, w, h)
		res = d.read(d.work, hw, hh, image.Rect(0, 0, hw, hh), nil)
		scale = 2
	case StepInvert:
		d.work = grow(d.work, w*h)
		for i, v := range y[:w*h] {
			d.work[i] = 255 - v
		}
		res = d.read(d.work, w, h, image.Rect(0, 0, w, h), nil)
	case StepHarder:
		res = d.read(y, w, h, image.Rect(0, 0, w, h), d.harder)
	case StepGlobal:
		res = d.readGlobal(y, w, h)
	case StepSharpen:
		d.work = grow(d.work, w*h)
		boxBlur3(d.work, y, w, h)
		for i, v := range y[:w*h] {
			d.work[i] = uint8(min(255, max(0, 2*int(v)-int(d.work[i]))))
		}
		res = d.read(d.work, w, h, image.Rect(0, 0, w, h), nil)
	case StepBlur2:
		d.work = grow(d.work, w*h)
		d.work2 = grow(d.work2, w*h)
		boxBlur3(d.work2, y, w, h)
		boxBlur3(d.work, d.work2, w, h)
		res = d.read(d.work, w, h, image.Rect(0, 0, w, h), nil)
	case StepDouble:
		if w*h > 1280*720 {
			return "", false // a large frame has the pixels already
		}
		d.work = grow(d.work, 4*w*h)
		d.work2 = grow(d.work2, 4*w*h)
		double(d.work2, y, w, h)
		boxBlur3(d.work, d.work2, 2*w, 2*h)
		res = d.read(d.work, 2*w, 2*h, image.Rect(0, 0, 2*w, 2*h), nil)
		if res != nil {
			res = gozxing.NewResult(res.GetText(), nil, nil, res.GetBarcodeFormat())
		}
	case StepPerspective:
		res = d.readPerspective(y, w, h)
	case StepAztec:
		src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
		if err != nil {
			return "", false
		}
		bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
		if err != nil {
			return "", false
		}
		// Small Aztec symbols carry few check words: a short text found in
		// clutter is more likely noise than a pass, and passes are long.
		if r, err := aztec.NewAztecReader().Decode(bmp, nil); err == nil && len(r.GetText()) >= minAztecText {
			res = gozxing.NewResult(r.GetText(), nil, nil, r.GetBarcodeFormat())
		}
	case StepBlurGlobal:
		d.work = grow(d.work, w*h)
		boxBlur3(d.work, y, w, h)
		res = d.readGlobal(d.work, w, h)
	}
	if res != nil {
		text, ok = res.GetText(), true
		d.Hits[s]++
		d.remember(res.GetResultPoints(), scale, off, w, h)
	}
	return text, ok
}

// read runs the QR reader over rect of the plane y (w x h).
func (d *Decoder) read(y []byte, w, h int, rect image.Rectangle, hints map[gozxing.DecodeHintType]interface{}) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, rect.Min.X, rect.Min.Y, rect.Dx(), rect.Dy(), false)
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil
	}
	res, err := d.reader.Decode(bmp, hints)
	if err != nil {
		return nil
	}
	if rect.Min != (image.Point{}) {
		pts := res.GetResultPoints()
		moved := make([]gozxing.ResultPoint, len(pts))
		for i, p := range pts {
			moved[i] = gozxing.NewResultPoint(p.GetX()+float64(rect.Min.X), p.GetY()+float64(rect.Min.Y))
		}
		res = gozxing.NewResult(res.GetText(), nil, moved, res.GetBarcodeFormat())
	}
	return res
}

// readGlobal runs the QR reader over the plane with the global histogram
// binarizer.
func (d *Decoder) readGlobal(y []byte, w, h int) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	if err != nil {
		return nil
	}
	res, err := d.reader.Decode(bmp, nil)
	if err != nil {
		return nil
	}
	return res
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

// boxBlur3 writes a 3x3 box blur of src (w x h) into dst; edges are
// copied. Two passes of running sums keep it at a few adds a pixel.
func boxBlur3(dst, src []byte, w, h int) {
	if w < 3 || h < 3 {
		copy(dst, src[:w*h])
		return
	}
	copy(dst[:w], src[:w])
	copy(dst[(h-1)*w:], src[(h-1)*w:h*w])
	for y := 1; y < h-1; y++ {
		a, b, c := src[(y-1)*w:y*w], src[y*w:(y+1)*w], src[(y+1)*w:(y+2)*w]
		out := dst[y*w : (y+1)*w]
		out[0], out[w-1] = b[0], b[w-1]
		col0 := uint32(a[0]) + uint32(b[0]) + uint32(c[0])
		col1 := uint32(a[1]) + uint32(b[1]) + uint32(c[1])
		for x := 1; x < w-1; x++ {
			col2 := uint32(a[x+1]) + uint32(b[x+1]) + uint32(c[x+1])
			out[x] = uint8((col0 + col1 + col2) * 7282 >> 16) // /9
			col0, col1 = col1, col2
		}
	}
}

// halve writes src (w x h) averaged over 2x2 blocks into dst (w/2 x h/2).
func halve(dst, src []byte, w, h int) {
	hw, hh := w/2, h/2
	for y := 0; y < hh; y++ {
		a, b := src[2*y*w:], src[(2*y+1)*w:]
		out := dst[y*hw : (y+1)*hw]
		for x := range out {
			out[x] = uint8((uint32(a[2*x]) + uint32(a[2*x+1]) + uint32(b[2*x]) + uint32(b[2*x+1]) + 2) >> 2)
		}
	}
}

// double writes src (w x h) at twice the size into dst (2w x 2h), each
// new pixel the mean of its nearest source pixels.
func double(dst, src []byte, w, h int) {
	W := 2 * w
	for y := 0; y < 2*h; y++ {
		r0 := src[(y/2)*w : (y/2)*w+w]
		r1 := src[min(y/2+(y&1), h-1)*w:][:w]
		out := dst[y*W : y*W+W]
		for x := 0; x < w; x++ {
			x1 := min(x+1, w-1)
			a, b := uint32(r0[x])+uint32(r1[x]), uint32(r0[x1])+uint32(r1[x1])
			out[2*x] = uint8((a + 1) >> 1)
			out[2*x+1] = uint8((a + b + 2) >> 2)
		}
	}
}
