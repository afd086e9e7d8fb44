package camera_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"passdesk/camera"
)

// testJPEG is a w x h colour JPEG: a luminance ramp across, chroma down.
func testJPEG(t testing.TB, w, h int) ([]byte, *image.YCbCr) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(x * 255 / max(w-1, 1))
			img.Set(x, y, color.RGBA{v, uint8(y * 255 / max(h-1, 1)), 255 - v, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	ref, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), ref.(*image.YCbCr)
}

func TestLumaJPEG(t *testing.T) {
	data, ref := testJPEG(t, 160, 90)
	for _, c := range []struct {
		shrink, w, h int
	}{{1, 160, 90}, {2, 80, 45}, {4, 40, 23}, {8, 20, 12}} {
		t.Run(string(rune('0'+c.shrink)), func(t *testing.T) {
			var f camera.Frame
			if err := camera.LumaJPEG(data, c.shrink, &f); err != nil {
				t.Fatal(err)
			}
			if f.Width != c.w || f.Height != c.h || f.Stride != c.w || len(f.Y) < c.w*c.h {
				t.Fatalf("got %dx%d stride %d with %d bytes, want %dx%d", f.Width, f.Height, f.Stride, len(f.Y), c.w, c.h)
			}
			if f.Color != nil {
				t.Errorf("colour %T, want none", f.Color)
			}
			// Each sample is near image/jpeg's luminance of its block.
			worst := 0
			for y := 0; y < c.h-1; y++ {
				for x := 0; x < c.w-1; x++ {
					want := int(ref.Y[ref.YOffset(x*c.shrink+c.shrink/2, y*c.shrink+c.shrink/2)])
					worst = max(worst, abs(int(f.Y[y*f.Stride+x])-want))
				}
			}
			if worst > 12 {
				t.Errorf("a sample is %d grey levels from image/jpeg's (%s)", worst, camera.JPEGDecoder())
			}
		})
	}
}

func TestLumaJPEGBad(t *testing.T) {
	data, _ := testJPEG(t, 64, 48)
	huge := append([]byte(nil), data...)
	// The start-of-frame segment names the size: ask for 60000x60000.
	for i := 2; i+9 < len(huge); i++ {
		if huge[i] == 0xFF && huge[i+1] == 0xC0 {
			huge[i+5], huge[i+6], huge[i+7], huge[i+8] = 0xEA, 0x60, 0xEA, 0x60
			break
		}
	}
	for name, c := range map[string]struct {
		data   []byte
		shrink int
	}{
		"empty":     {nil, 1},
		"not jpeg":  {[]byte("GIF89a........"), 1},
		"truncated": {data[:20], 1},
		"huge":      {huge, 1},
		"shrink 3":  {data, 3},
		"shrink 0":  {data, 0},
	} {
		t.Run(name, func(t *testing.T) {
			var f camera.Frame
			if err := camera.LumaJPEG(c.data, c.shrink, &f); err == nil {
				t.Errorf("no error; frame %dx%d", f.Width, f.Height)
			}
		})
	}
}

func TestPreviewJPEG(t *testing.T) {
	data, ref := testJPEG(t, 1280, 720)
	img, err := camera.PreviewJPEG(data, 640)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != image.Pt(640, 360) {
		t.Fatalf("preview %v, want 640x360", got)
	}
	// Colour survives: the middle pixel is about image/jpeg's.
	r, g, b := color.YCbCrToRGB(ref.Y[ref.YOffset(640, 360)], ref.Cb[ref.COffset(640, 360)], ref.Cr[ref.COffset(640, 360)])
	p := img.RGBAAt(320, 180)
	if abs(int(p.R)-int(r)) > 16 || abs(int(p.G)-int(g)) > 16 || abs(int(p.B)-int(b)) > 16 || p.A != 255 {
		t.Errorf("middle pixel %v, want about %d,%d,%d", p, r, g, b)
	}
	if _, err := camera.PreviewJPEG(data[:30], 640); err == nil {
		t.Error("a truncated header previewed")
	}
}

// FuzzLumaJPEG feeds damaged and hostile JPEG bytes (a webcam on a bad
// cable, a file given to passdesk decode) to the luminance decoder: an
// error or a frame that is whole, never a panic.
func FuzzLumaJPEG(f *testing.F) {
	data, _ := testJPEG(f, 48, 32)
	f.Add(data, 1)
	f.Add(data[:len(data)/2], 2)
	f.Add(data[:200], 8)
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, 1)
	f.Fuzz(func(t *testing.T, data []byte, shrink int) {
		var fr camera.Frame
		if err := camera.LumaJPEG(data, shrink, &fr); err != nil {
			return
		}
		if fr.Width <= 0 || fr.Height <= 0 || len(fr.Y) < fr.Width*fr.Height {
			t.Fatalf("no error, yet the frame is %dx%d with %d bytes", fr.Width, fr.Height, len(fr.Y))
		}
		if _, err := camera.PreviewJPEG(data, 64); err != nil {
			t.Logf("luminance decoded, preview not: %v", err)
		}
	})
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// BenchmarkLumaJPEG is the cost of a 1280x720 webcam frame's luminance,
// at full size and shrunk, against image/jpeg's whole decoding.
func BenchmarkLumaJPEG(b *testing.B) {
	data, _ := testJPEG(b, 1280, 720)
	for _, shrink := range []int{1, 2, 4} {
		b.Run(camera.JPEGDecoder()+"/1:"+string(rune('0'+shrink)), func(b *testing.B) {
			var f camera.Frame
			for b.Loop() {
				if err := camera.LumaJPEG(data, shrink, &f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("image-jpeg", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
