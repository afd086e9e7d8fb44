package camera

import (
	"bytes"
	"errors"
	"image"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// framesPerKind is how many generated frames of each kind the rate test
// reads: fewer under -short or the race detector.
var rateSeed int64 = 42

// skipUnderRace skips the rate tests under the race detector: decoding
// runs in one goroutine, so the detector has nothing to find there, and it
// makes generating and decoding the frames ten times slower. The scanner
// tests cover the goroutines.
func skipUnderRace(t *testing.T) {
	if raceOn {
		t.Skip("decode rates are measured without -race")
	}
}

func framesPerKind() int {
	if testing.Short() {
		return 4
	}
	return 12
}

// TestDecodeRates reads generated frames of every kind with the full
// decoder (what `passdesk decode` does): every easy frame, at least 95% of
// the hard ones, and never a text from a frame without a code.
func TestDecodeRates(t *testing.T) {
	skipUnderRace(t)
	n := framesPerKind()
	kinds := append([]string{kindEasy, kindNone}, hardKinds...)
	frames := genFrames(rateSeed, kinds, n, 1280, 720)
	read := map[string]int{}
	hard, hardRead := 0, 0
	for _, g := range frames {
		f := g.frame()
		text, err := NewDecoder().Decode(&f)
		switch {
		case g.kind == kindNone:
			if err == nil {
				t.Errorf("%v: false read %.30q", g, text)
			}
			continue
		case err == nil && text != g.text:
			t.Errorf("%v: read %.30q, want %.30q", g, text, g.text)
		case err == nil:
			read[g.kind]++
		}
		if g.kind != kindEasy {
			hard++
			if err == nil && text == g.text {
				hardRead++
			}
		}
	}
	for _, k := range kinds {
		if k != kindNone {
			t.Logf("%-9s %d/%d", k, read[k], n)
		}
	}
	if read[kindEasy] != n {
		t.Errorf("easy frames read: %d of %d, want all", read[kindEasy], n)
	}
	if rate := float64(hardRead) / float64(hard); rate < 0.95 {
		t.Errorf("hard frames read: %d of %d (%.1f%%), want at least 95%%", hardRead, hard, 100*rate)
	}
}

// TestDecodeLiveReadsHardFramesInAFewFrames shows a hard code to the live
// decoder for consecutive frames, as a camera does, and checks that every
// code the full decoder reads, the live one reads within len(liveSteps)+1
// frames (each frame tries plain and one of liveSteps).
func TestDecodeLiveReadsHardFramesInAFewFrames(t *testing.T) {
	skipUnderRace(t)
	n := max(1, framesPerKind()/2)
	frames := genFrames(43, hardKinds, n, 1280, 720)
	for _, g := range frames {
		f := g.frame()
		full := NewDecoder()
		if text, err := full.Decode(&f); err != nil || text != g.text || readByLastResort(full) {
			continue // not read, or read by a step only single images get
		}
		d := NewDecoder()
		ok := false
		for i := 0; i < len(liveSteps)+1 && !ok; i++ {
			text, err := d.DecodeLive(&f)
			ok = err == nil && text == g.text
		}
		if !ok {
			t.Errorf("%v: the full decoder reads it, the live one did not within %d frames", g, len(liveSteps)+1)
		}
	}
}

func TestDecodeBadFrames(t *testing.T) {
	d := NewDecoder()
	for name, f := range map[string]Frame{
		"empty":      {},
		"short":      {Width: 100, Height: 100, Stride: 100, Y: make([]byte, 50)},
		"stride":     {Width: 100, Height: 100, Stride: 10, Y: make([]byte, 10000)},
		"tiny":       {Width: 1, Height: 1, Stride: 1, Y: []byte{0}},
		"blank":      {Width: 64, Height: 48, Stride: 64, Y: make([]byte, 64*48)},
		"odd stride": {Width: 50, Height: 40, Stride: 64, Y: make([]byte, 64*40)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := d.Decode(&f); err == nil {
				t.Error("no error")
			}
			if _, err := d.DecodeLive(&f); err == nil {
				t.Error("no error from DecodeLive")
			}
		})
	}
}

// TestDecodeLiveROI checks that a code still in view is read from the
// region of the last hit, and that a code that moved is still read.
func TestDecodeLiveROI(t *testing.T) {
	frames := genFrames(44, []string{kindEasy}, 2, 1280, 720)
	d := NewDecoder()
	f0, f1 := frames[0].frame(), frames[1].frame()
	for i, c := range []struct {
		f    *Frame
		text string
	}{{&f0, frames[0].text}, {&f0, frames[0].text}, {&f1, frames[1].text}} {
		text, err := d.DecodeLive(c.f)
		if err != nil || text != c.text {
			t.Fatalf("frame %d: %.20q, %v", i, text, err)
		}
	}
	if d.Hits[StepROI] != 1 {
		t.Errorf("hits by region %d, want 1 (hits %v)", d.Hits[StepROI], d.Hits)
	}
}

func readByLastResort(d *Decoder) bool {
	return d.Hits[StepAztec] > 0
}

// TestDecoderReusedReadsAsFresh decodes frames of every kind, as JPEG,
// with one Decoder in turn (what `passdesk decode` does with a list of
// files) and checks that each gives what a new Decoder gives it: nothing
// one frame leaves in the buffers changes what the next one reads.
func TestDecoderReusedReadsAsFresh(t *testing.T) {
	skipUnderRace(t)
	kinds := append([]string{kindEasy, kindNone}, hardKinds...)
	d := NewDecoder()
	for _, g := range genFrames(rateSeed+1, kinds, 2, 1280, 720) {
		buf := g.asJPEG()
		want, wantErr := DecodeJPEG(buf)
		got, err := d.DecodeJPEG(buf)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("%v: reused decoder read %.30q (%v), a new one %.30q (%v)", g, got, err, want, wantErr)
		}
	}
}

// TestDecodeImageLeavesTheImageAlone decodes a grey image, whose pixels
// the frame reads in place, then a JPEG with the same Decoder: the JPEG's
// luminance must not be written over the image's pixels.
func TestDecodeImageLeavesTheImageAlone(t *testing.T) {
	frames := genFrames(rateSeed, []string{kindEasy}, 2, 640, 480)
	img := frames[0].img
	before := append([]byte(nil), img.Pix...)
	d := NewDecoder()
	if text, err := d.DecodeImage(img); err != nil || text != frames[0].text {
		t.Fatalf("grey image: %.30q, %v", text, err)
	}
	if text, err := d.DecodeJPEG(frames[1].asJPEG()); err != nil || text != frames[1].text {
		t.Fatalf("JPEG after it: %.30q, %v", text, err)
	}
	if !bytes.Equal(img.Pix, before) {
		t.Error("decoding a JPEG wrote into the grey image decoded before it")
	}
}

// finderTiles is a w x h plane tiled with finder patterns of the given
// module size, gap pixels apart: a picture anyone can show the camera.
func finderTiles(w, h, module, gap int) []byte {
	y := bytes.Repeat([]byte{255}, w*h)
	cell := 7*module + gap
	for oy := 0; oy+7*module <= h; oy += cell {
		for ox := 0; ox+7*module <= w; ox += cell {
			for py := 0; py < 7*module; py++ {
				for px := 0; px < 7*module; px++ {
					mx, my := px/module, py/module
					if mx == 0 || mx == 6 || my == 0 || my == 6 || mx >= 2 && mx <= 4 && my >= 2 && my <= 4 {
						y[(oy+py)*w+ox+px] = 0
					}
				}
			}
		}
	}
	return y
}

// TestDecodeBoundsAFrameTiledWithFinderPatterns shows the decoder a
// 1280x720 frame tiled with 3,600 finder patterns. gozxing's finder
// weighs every three of its candidates, and such a frame held one Decode
// for 101 s (module 2, gap 2) and another for 6.5 s (module 3, gap 6):
// the live scanner and `passdesk decode` stalled for as long. Each of
// gozxing's looks must now end once it passes maxCentres candidates,
// and the frame is decided (no code) at once.
func TestDecodeBoundsAFrameTiledWithFinderPatterns(t *testing.T) {
	for _, c := range []struct{ module, gap int }{{2, 2}, {3, 6}, {2, 20}} {
		fr := Frame{Width: 1280, Height: 720, Stride: 1280, Y: finderTiles(1280, 720, c.module, c.gap)}
		d := NewDecoder()
		done := make(chan error, 1)
		go func() {
			_, err := d.Decode(&fr)
			for range 3 {
				d.DecodeLive(&fr)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNoCode) {
				t.Errorf("module %d gap %d: %v, want ErrNoCode", c.module, c.gap, err)
			}
			if d.peak > maxCentres+1 {
				t.Errorf("module %d gap %d: a look gathered %d candidates, past the bound of %d", c.module, c.gap, d.peak, maxCentres)
			}
			if d.peak <= maxCentres {
				t.Errorf("module %d gap %d: no look reached the bound (%d candidates): the frame no longer tests it", c.module, c.gap, d.peak)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("module %d gap %d: Decode still running after 60 s", c.module, c.gap)
		}
	}
}

// TestBoundedPassesOtherPanicsOn checks that the guard ends only its own
// panic: any other is a bug to see.
func TestBoundedPassesOtherPanicsOn(t *testing.T) {
	d := NewDecoder()
	if d.bounded(func() { d.centre(nil) }) != true {
		t.Error("one candidate ended the look")
	}
	if d.bounded(func() {
		for range maxCentres + 1 {
			d.centre(nil)
		}
		t.Error("the look went on past maxCentres")
	}) {
		t.Error("bounded reported a look the guard ended as whole")
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("recovered %v, want the other panic", r)
		}
	}()
	d.bounded(func() { panic("other") })
}

// TestDecodeLiveReadsALargeCodeAtHalfSize holds a code of 10-pixel
// modules close to the camera: the live path reads its region at half
// size (see cutLive), and the region of the hit, remembered in the
// frame's coordinates, reads it again on the next frame.
func TestDecodeLiveReadsALargeCodeAtHalfSize(t *testing.T) {
	text := "PD1:" + strings.Repeat("LARGE CODE HELD CLOSE ", 4)
	img := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	drawCode(rand.New(rand.NewSource(7)), img, qrModules(text), scene{module: 10, angle: 0.1, white: 225, black: 35})
	var f Frame
	FrameFromImage(img, &f)
	d := NewDecoder()
	for i := range 2 {
		got, err := d.DecodeLive(&f)
		if err != nil || got != text {
			t.Fatalf("frame %d: %.30q, %v", i, got, err)
		}
	}
	if d.Hits[StepPlain] != 1 || d.Hits[StepROI] != 1 {
		t.Errorf("hits %v, want the plain step at half size, then the region of the hit", d.Hits)
	}
	y, w, h := d.pack(&f), f.Width, f.Height
	if s, _ := d.look(y, w, h); d.cutLive(y, w, s) != 2 {
		t.Errorf("module measured %.1f: the region is not read at half size", s.module)
	}
}

// TestDecodeLiveDropsTheRegionOfAGoneCode: once the code leaves the
// camera's view, a frame with nothing where it was costs the pre-check
// alone, not a read of the region of the last hit; the code back in view
// is read from that region again.
func TestDecodeLiveDropsTheRegionOfAGoneCode(t *testing.T) {
	frames := genFrames(44, []string{kindEasy}, 1, 1280, 720)
	code := frames[0].frame()
	blank := Frame{Width: 1280, Height: 720, Stride: 1280, Y: bytes.Repeat([]byte{128}, 1280*720)}
	d := NewDecoder()
	if text, err := d.DecodeLive(&code); err != nil || text != frames[0].text {
		t.Fatalf("first frame: %.20q, %v", text, err)
	}
	for range 3 {
		if _, err := d.DecodeLive(&blank); !errors.Is(err, ErrNoCode) {
			t.Fatalf("blank frame: %v", err)
		}
	}
	if d.roiTries != 0 {
		t.Errorf("the region of the last hit was tried on %d blank frames", d.roiTries)
	}
	// A finder-like mark where the code was: clutter of under half the
	// code's module size is not the code; at its size it may be.
	c := d.roi.Min.Add(d.roi.Size().Div(2))
	for _, k := range []float64{0.45, 1} {
		mark := finderMark(c, k*d.roiModule)
		d.DecodeLive(&mark)
		if tried := d.roiTries; k < 1 && tried != 0 || k == 1 && tried != 1 {
			t.Errorf("a mark of %.2g times the code's modules (%.1f px): the region tried %d times", k, d.roiModule, tried)
		}
	}
	if text, err := d.DecodeLive(&code); err != nil || text != frames[0].text || d.Hits[StepROI] != 1 {
		t.Errorf("the code back: %.20q, %v, hits %v", text, err, d.Hits)
	}
}

// TestDecodeLiveReadsASmallCodeBesideLargeClutter: five finder-like
// marks of 14-pixel modules (clutter: a shirt's print) outnumber the spots
// of a code of 3-pixel modules beside them, so the frame's sighting is
// theirs, read at half size, where the code's modules are 1.5 pixels. The
// frame steps read the sighting of the smaller spots (trySmaller): the
// code is read within one turn of the live steps. A whole-frame step read
// nothing there in 14 frames, at up to 17 ms a frame.
func TestDecodeLiveReadsASmallCodeBesideLargeClutter(t *testing.T) {
	text := "PD1:" + strings.Repeat("SMALL CODE BESIDE A SHIRT ", 12)
	code := image.NewGray(image.Rect(0, 0, 420, 420))
	for i := range code.Pix {
		code.Pix[i] = 128
	}
	drawCode(rand.New(rand.NewSource(9)), code, qrModules(text), scene{module: 3, angle: 0.2, white: 225, black: 35, blur: 0.6})
	f := Frame{Width: 1280, Height: 720, Stride: 1280, Y: bytes.Repeat([]byte{150}, 1280*720)}
	for _, c := range []image.Point{{120, 120}, {420, 120}, {120, 420}, {500, 560}, {700, 300}} {
		mark := finderMark(c, 14)
		for i, v := range mark.Y {
			if v != 150 {
				f.Y[i] = v
			}
		}
	}
	for y := range 420 {
		copy(f.Y[(150+y)*1280+840:], code.Pix[y*420:(y+1)*420])
	}
	d := NewDecoder()
	y, w, h := d.pack(&f), f.Width, f.Height
	if s, _ := d.look(y, w, h); d.cutLive(y, w, s) != 2 {
		t.Fatalf("the sighting (%v, modules %.1f) is not the clutter's, at half size", s.region, s.module)
	}
	for i := range len(liveSteps) {
		if got, err := d.DecodeLive(&f); err == nil {
			if got != text {
				t.Fatalf("frame %d read %.30q", i, got)
			}
			return
		}
	}
	t.Errorf("the code beside the clutter was not read in %d frames (hits %v)", len(liveSteps), d.Hits)
}

// finderMark is a grey 1280x720 frame with one finder pattern (7 modules
// of m pixels) centred on c.
func finderMark(c image.Point, m float64) Frame {
	f := Frame{Width: 1280, Height: 720, Stride: 1280, Y: bytes.Repeat([]byte{150}, 1280*720)}
	for y := range 720 {
		for x := range 1280 {
			dx, dy := math.Abs(float64(x-c.X))/m, math.Abs(float64(y-c.Y))/m
			switch r := max(dx, dy); {
			case r < 1.5:
				f.Y[y*1280+x] = 20
			case r < 2.5:
				f.Y[y*1280+x] = 230
			case r < 3.5:
				f.Y[y*1280+x] = 20
			case r < 4.5:
				f.Y[y*1280+x] = 230
			}
		}
	}
	return f
}
