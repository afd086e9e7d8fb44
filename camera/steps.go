package camera

import (
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
)

// attempt is what a step found: the result (nil for none) and how its
// points map back to the plane it was given: divided by nothing,
// multiplied by scale, moved by off.
type attempt struct {
	res   *gozxing.Result
	scale int
	off   image.Point
}

// steps are the ways of looking at a plane, one function each, indexed by
// Step. Each reads y (w x h) and may use the decoder's work buffers.
var steps = [numSteps]func(d *Decoder, y []byte, w, h int) attempt{
	StepPlain:       (*Decoder).stepPlain,
	StepROI:         (*Decoder).stepROI,
	StepBlur:        (*Decoder).stepBlur,
	StepHalf:        (*Decoder).stepHalf,
	StepInvert:      (*Decoder).stepInvert,
	StepHarder:      (*Decoder).stepHarder,
	StepBlurHarder:  (*Decoder).stepBlurHarder,
	StepGlobal:      (*Decoder).stepGlobal,
	StepSharpen:     (*Decoder).stepSharpen,
	StepBlur2:       (*Decoder).stepBlur2,
	StepBlurGlobal:  (*Decoder).stepBlurGlobal,
	StepDouble:      (*Decoder).stepDouble,
	StepAztec:       (*Decoder).stepAztec,
	StepPerspective: (*Decoder).stepPerspective,
	StepAztecHalf:   (*Decoder).stepAztecHalf,
	StepStretch:     (*Decoder).stepStretch,

	StepBlurPerspective:    (*Decoder).stepBlurPerspective,
	StepStretchPerspective: (*Decoder).stepStretchPerspective,
}

func found(res *gozxing.Result) attempt { return attempt{res: res} }

func (d *Decoder) stepPlain(y []byte, w, h int) attempt {
	return found(d.read(y, w, h, nil))
}

func (d *Decoder) stepHarder(y []byte, w, h int) attempt {
	return found(d.read(y, w, h, d.harder))
}

func (d *Decoder) stepGlobal(y []byte, w, h int) attempt {
	return found(d.readGlobal(y, w, h))
}

func (d *Decoder) stepPerspective(y []byte, w, h int) attempt {
	return found(d.readPerspective(y, w, h))
}

func (d *Decoder) stepBlurPerspective(y []byte, w, h int) attempt {
	return found(d.readPerspective(d.blurred(y, w, h), w, h))
}

func (d *Decoder) stepStretchPerspective(y []byte, w, h int) attempt {
	b := d.blurred(y, w, h)
	if !stretch(b) {
		return attempt{}
	}
	return found(d.readPerspective(b, w, h))
}

// stepROI reads the region around the last hit at full resolution.
func (d *Decoder) stepROI(y []byte, w, h int) attempt {
	r := d.roi.Intersect(image.Rect(0, 0, w, h))
	if r.Dx() < 40 || r.Dy() < 40 || r.Dx()*r.Dy() > w*h*3/4 {
		return attempt{} // too small to hold the code, or not worth cropping
	}
	// Copied into the work buffer: the reader's own crop allocates.
	d.work = crop(d.work, y, w, r)
	return attempt{res: d.read(d.work, r.Dx(), r.Dy(), nil), off: r.Min}
}

// blurred returns y through a 3x3 box blur, in the work buffer.
func (d *Decoder) blurred(y []byte, w, h int) []byte {
	d.work = grow(d.work, w*h)
	boxBlur3(d.work, y, w, h)
	return d.work
}

func (d *Decoder) stepBlur(y []byte, w, h int) attempt {
	return found(d.read(d.blurred(y, w, h), w, h, nil))
}

func (d *Decoder) stepBlurHarder(y []byte, w, h int) attempt {
	return found(d.read(d.blurred(y, w, h), w, h, d.harder))
}

func (d *Decoder) stepBlurGlobal(y []byte, w, h int) attempt {
	return found(d.readGlobal(d.blurred(y, w, h), w, h))
}

func (d *Decoder) stepBlur2(y []byte, w, h int) attempt {
	d.work2 = grow(d.work2, w*h)
	boxBlur3(d.work2, y, w, h)
	d.work = grow(d.work, w*h)
	boxBlur3(d.work, d.work2, w, h)
	return found(d.read(d.work, w, h, nil))
}

// stepSharpen is an unsharp mask: blurred modules get their edges back.
func (d *Decoder) stepSharpen(y []byte, w, h int) attempt {
	b := d.blurred(y, w, h)
	for i, v := range y[:w*h] {
		b[i] = uint8(min(255, max(0, 2*int(v)-int(b[i]))))
	}
	return found(d.read(b, w, h, nil))
}

func (d *Decoder) stepHalf(y []byte, w, h int) attempt {
	hw, hh := w/2, h/2
	d.work = grow(d.work, hw*hh)
	halve(d.work, y, w, h)
	return attempt{res: d.read(d.work, hw, hh, nil), scale: 2}
}

func (d *Decoder) stepInvert(y []byte, w, h int) attempt {
	d.work = grow(d.work, w*h)
	for i, v := range y[:w*h] {
		d.work[i] = 255 - v
	}
	return found(d.read(d.work, w, h, nil))
}

// stepDouble reads the plane at twice the size, smoothed: codes with
// modules under 3 pixels. Its points are not kept (they are in the
// doubled plane, and a frame this small is not a live one).
func (d *Decoder) stepDouble(y []byte, w, h int) attempt {
	if w*h > 1280*720 {
		return attempt{} // a large frame has the pixels already
	}
	d.work = grow(d.work, 4*w*h)
	d.work2 = grow(d.work2, 4*w*h)
	double(d.work2, y, w, h)
	boxBlur3(d.work, d.work2, 2*w, 2*h)
	if res := d.read(d.work, 2*w, 2*h, nil); res != nil {
		return found(gozxing.NewResult(res.GetText(), nil, nil, res.GetBarcodeFormat()))
	}
	return attempt{}
}

// minAztecText is the shortest Aztec text accepted.
const minAztecText = 16

// stepAztec reads an Aztec code, which EU health certificates may use.
func (d *Decoder) stepAztec(y []byte, w, h int) attempt {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return attempt{}
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return attempt{}
	}
	// Small Aztec symbols carry few check words: a short text found in
	// clutter is more likely noise than a pass, and passes are long.
	r, err := aztec.NewAztecReader().Decode(bmp, nil)
	if err != nil || len(r.GetText()) < minAztecText {
		return attempt{}
	}
	return found(gozxing.NewResult(r.GetText(), nil, nil, r.GetBarcodeFormat()))
}

// stepStretch blurs the plane, then stretches its grey levels so that the
// darkest and lightest hundredth span 0 to 255. gozxing's binarizer takes
// a block whose levels spread less than 24 for background: a faint,
// blurred code on a dim screen is all such blocks until stretched.
func (d *Decoder) stepStretch(y []byte, w, h int) attempt {
	b := d.blurred(y, w, h)
	if !stretch(b) {
		return attempt{}
	}
	return found(d.read(b, w, h, nil))
}

// stretch maps the grey levels of b so that its darkest and lightest
// hundredth span 0 to 255; false when b is flat.
func stretch(b []byte) bool {
	var hist [256]int
	for _, v := range b {
		hist[v]++
	}
	lo, hi, n := 0, 255, 0
	for ; lo < 255 && n+hist[lo] < len(b)/100; lo++ {
		n += hist[lo]
	}
	for n = 0; hi > lo && n+hist[hi] < len(b)/100; hi-- {
		n += hist[hi]
	}
	if hi-lo < 8 {
		return false
	}
	var lut [256]uint8
	for i := range lut {
		lut[i] = uint8(min(255, max(0, (i-lo)*255/(hi-lo))))
	}
	for i, v := range b {
		b[i] = lut[v]
	}
	return true
}

// stepAztecHalf reads an Aztec code at half size. A pass shown as Aztec
// is a large symbol with modules of several pixels: halving keeps them.
func (d *Decoder) stepAztecHalf(y []byte, w, h int) attempt {
	hw, hh := w/2, h/2
	d.work = grow(d.work, hw*hh)
	halve(d.work, y, w, h)
	at := d.stepAztec(d.work, hw, hh)
	at.scale = 2
	return at
}

// read runs the QR reader with the hybrid binarizer over the plane y (w x h).
func (d *Decoder) read(y []byte, w, h int, hints map[gozxing.DecodeHintType]interface{}) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil
	}
	return d.decodeBitmap(bmp, hints)
}

// decodeBitmap runs the QR reader on bmp with hints (nil: d.plain, the
// guard alone), its finder's candidates bounded (see bounded); nil where
// it read nothing.
func (d *Decoder) decodeBitmap(bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) *gozxing.Result {
	if hints == nil {
		hints = d.plain
	}
	var res *gozxing.Result
	var err error
	if !d.bounded(func() { res, err = d.reader.Decode(bmp, hints) }) || err != nil {
		return nil
	}
	return res
}

// readGlobal runs the QR reader over the plane with the global histogram
// binarizer: one threshold, for low-contrast codes on an even screen.
func (d *Decoder) readGlobal(y []byte, w, h int) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	if err != nil {
		return nil
	}
	return d.decodeBitmap(bmp, nil)
}

// crop copies rect r of the plane y (w wide) into dst, rows back to back.
func crop(dst, y []byte, w int, r image.Rectangle) []byte {
	rw, rh := r.Dx(), r.Dy()
	dst = grow(dst, rw*rh)
	for i := 0; i < rh; i++ {
		copy(dst[i*rw:(i+1)*rw], y[(r.Min.Y+i)*w+r.Min.X:])
	}
	return dst
}
