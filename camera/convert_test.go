package camera

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"testing"
)

// yuyvOf packs a grey picture as YUYV with chroma values cb, cr.
func yuyvOf(img *image.Gray, cb, cr byte) []byte {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	buf := make([]byte, 0, w*h*2)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x += 2 {
			buf = append(buf, img.Pix[y*img.Stride+x], cb, img.Pix[y*img.Stride+x+1], cr)
		}
	}
	return buf
}

func TestFromYUYV(t *testing.T) {
	g := genFrames(7, []string{kindEasy}, 1, 640, 480)[0]
	var f Frame
	if err := FromYUYV(yuyvOf(g.img, 100, 150), 640, 480, &f); err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 480; y++ {
		if !bytes.Equal(f.Y[y*f.Stride:y*f.Stride+640], g.img.Pix[y*g.img.Stride:y*g.img.Stride+640]) {
			t.Fatalf("row %d of the Y plane differs from the picture", y)
		}
	}
	ycc := f.Color.(*image.YCbCr)
	if got, want := ycc.Cb[ycc.COffset(10, 10)], byte(100); got != want {
		t.Errorf("Cb = %d, want %d", got, want)
	}
	if got, want := ycc.Cr[ycc.COffset(11, 10)], byte(150); got != want {
		t.Errorf("Cr = %d, want %d", got, want)
	}
	text, err := NewDecoder().Decode(&f)
	if err != nil || text != g.text {
		t.Errorf("decoding the YUYV frame: %q, %v", text, err)
	}
	// The next frame reuses the planes.
	y0 := &f.Y[0]
	if err := FromYUYV(yuyvOf(g.img, 1, 2), 640, 480, &f); err != nil {
		t.Fatal(err)
	}
	if &f.Y[0] != y0 {
		t.Error("a second frame of the same size allocated a new plane")
	}
}

func TestFromYUYVBad(t *testing.T) {
	var f Frame
	for _, c := range []struct {
		name string
		buf  []byte
		w, h int
	}{
		{"short", make([]byte, 100), 640, 480},
		{"odd width", make([]byte, 3*2*2), 3, 2},
		{"zero", nil, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := FromYUYV(c.buf, c.w, c.h, &f); err == nil {
				t.Error("no error")
			}
		})
	}
}

// stripDHT removes the Huffman table segments, as many webcams send MJPEG.
func stripDHT(t *testing.T, buf []byte) []byte {
	out := append([]byte(nil), buf[:2]...)
	for i := 2; i+4 <= len(buf); {
		if buf[i+1] == 0xDA {
			return append(out, buf[i:]...)
		}
		n := int(buf[i+2])<<8 | int(buf[i+3])
		if buf[i+1] != 0xC4 {
			out = append(out, buf[i:i+2+n]...)
		}
		i += 2 + n
	}
	t.Fatal("no start of scan")
	return nil
}

func TestFromMJPEG(t *testing.T) {
	g := genFrames(8, []string{kindEasy}, 1, 1280, 720)[0]
	// A colour JPEG, as a webcam sends: 4:2:0 YCbCr.
	rgba := image.NewRGBA(g.img.Bounds())
	for i, v := range g.img.Pix {
		rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = v, v, v, 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"with tables": buf.Bytes(), "without tables": stripDHT(t, buf.Bytes())} {
		t.Run(name, func(t *testing.T) {
			var f Frame
			if err := FromMJPEG(data, &f); err != nil {
				t.Fatal(err)
			}
			if f.Color != nil {
				t.Fatalf("frame colour is %T, want none (the luminance only is decoded)", f.Color)
			}
			if f.Width != 1280 || f.Height != 720 {
				t.Fatalf("size %dx%d", f.Width, f.Height)
			}
			text, err := NewDecoder().Decode(&f)
			if err != nil || text != g.text {
				t.Errorf("decoding the MJPEG frame: %q, %v", text, err)
			}
		})
	}
}

func TestFromMJPEGBad(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	junk := make([]byte, 500)
	r.Read(junk)
	var f Frame
	for name, buf := range map[string][]byte{
		"empty":     nil,
		"junk":      junk,
		"truncated": {0xFF, 0xD8, 0xFF, 0xDB, 0x00},
		"marker":    append([]byte{0xFF, 0xD8}, junk...),
	} {
		t.Run(name, func(t *testing.T) {
			if err := FromMJPEG(buf, &f); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestFrameFromImageKinds(t *testing.T) {
	g := genFrames(9, []string{kindEasy}, 1, 640, 480)[0]
	b := g.img.Bounds()
	nrgba := image.NewNRGBA(b)
	rgba := image.NewRGBA(b)
	gray16 := image.NewGray16(b)
	for i, v := range g.img.Pix {
		copy(nrgba.Pix[4*i:], []byte{v, v, v, 255})
		copy(rgba.Pix[4*i:], []byte{v, v, v, 255})
		gray16.Pix[2*i], gray16.Pix[2*i+1] = v, v
	}
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{uint8(i)}
	}
	paletted := image.NewPaletted(b, pal)
	copy(paletted.Pix, g.img.Pix)
	for name, img := range map[string]image.Image{"gray": g.img, "nrgba": nrgba, "rgba": rgba, "gray16": gray16, "paletted": paletted} {
		t.Run(name, func(t *testing.T) {
			text, err := DecodeImage(img)
			if err != nil || text != g.text {
				t.Errorf("DecodeImage: %q, %v", text, err)
			}
		})
	}
}
