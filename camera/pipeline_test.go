package camera

import (
	"image"
	"testing"
)

// TestScenes reads the issue-like scenes from their JPEG bytes: every
// easy code, no text from a frame without one (nor a wrong text), and a
// floor on the hard tier well under what the benchmark measures, so that
// a change that breaks the hard steps shows.
func TestScenes(t *testing.T) {
	skipUnderRace(t)
	n := 10
	if testing.Short() {
		n = 3
	}
	read := map[string]int{}
	for _, sf := range sceneFrames(77, n) {
		text, err := DecodeJPEG(sf.jpeg)
		switch {
		case err == nil && text != sf.text:
			t.Errorf("%s frame: read %.30q, want %.30q", sf.tier, text, sf.text)
		case err == nil:
			read[sf.tier]++
		}
	}
	if read[tierEasy] != n {
		t.Errorf("easy scenes read: %d of %d, want all", read[tierEasy], n)
	}
	if !testing.Short() && read[tierHard] < n/10 {
		t.Errorf("hard scenes read: %d of %d, want at least %d", read[tierHard], n, n/10)
	}
	t.Logf("read %v of %d each", read, n)
}

// TestLookFindsTheCode checks that the pre-check's region holds the code
// in easy frames, and that a plain frame, and one of stripes and a
// chequerboard, are decided at once.
func TestLookFindsTheCode(t *testing.T) {
	d := NewDecoder()
	for _, g := range genFrames(91, []string{kindEasy}, 4, 1280, 720) {
		f := g.frame()
		y := d.pack(&f)
		s, ok := d.look(y, f.Width, f.Height)
		if !ok {
			t.Errorf("%v: no sighting", g)
			continue
		}
		d.cut(y, f.Width, s)
		if text, ok := d.tryRegion(StepPlain, f.Width, f.Height, s.region); !ok || text != g.text {
			t.Errorf("%v: region %v does not read", g, s.region)
		}
	}
	for name, img := range map[string]*image.Gray{"blank": flat(640, 480, 128), "stripes": stripes(640, 480), "chequers": chequers(640, 480, 9)} {
		t.Run(name, func(t *testing.T) {
			if _, ok := d.look(img.Pix, 640, 480); ok {
				t.Error("a code seen")
			}
			var f Frame
			FrameFromImage(img, &f)
			if _, err := d.Decode(&f); err == nil {
				t.Error("a text read")
			}
		})
	}
}

func flat(w, h int, v uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

func stripes(w, h int) *image.Gray {
	img := flat(w, h, 220)
	for x := 0; x < w; x++ {
		if (x/5)%2 == 0 {
			for y := 0; y < h; y++ {
				img.Pix[y*w+x] = 30
			}
		}
	}
	return img
}

func chequers(w, h, sq int) *image.Gray {
	img := flat(w, h, 220)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if (x/sq+y/sq)%2 == 0 {
				img.Pix[y*w+x] = 30
			}
		}
	}
	return img
}
