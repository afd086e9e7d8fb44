package camera

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// FuzzFromMJPEG feeds damaged frames to the MJPEG path (a webcam on a bad
// cable sends them): an error, never a panic.
func FuzzFromMJPEG(f *testing.F) {
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}); err != nil {
		f.Fatal(err)
	}
	good := b.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		var fr Frame
		if err := FromMJPEG(data, &fr); err == nil {
			if !fr.valid() {
				t.Fatalf("no error, yet the frame is %dx%d with %d bytes", fr.Width, fr.Height, len(fr.Y))
			}
			if _, err := NewDecoder().Decode(&fr); err == nil {
				t.Log("a code in fuzz data")
			}
		}
	})
}

// FuzzFromYUYV checks sizes and buffers that do not agree.
func FuzzFromYUYV(f *testing.F) {
	f.Add(make([]byte, 16), 4, 2)
	f.Add(make([]byte, 15), 4, 2)
	f.Add(make([]byte, 0), 0, 0)
	f.Add(make([]byte, 8), -2, -2)
	f.Fuzz(func(t *testing.T, data []byte, w, h int) {
		if w > 4096 || h > 4096 {
			return
		}
		var fr Frame
		if err := FromYUYV(data, w, h, &fr); err == nil && !fr.valid() {
			t.Fatalf("no error, yet the frame is %dx%d with %d bytes", fr.Width, fr.Height, len(fr.Y))
		}
	})
}

// FuzzDecodePlane reads arbitrary grey planes of any width (the finder
// scan reads rows 64 pixels at a time, and a width need not be a multiple
// of its blocks): an answer or ErrNoCode, never a panic, and the spots
// the scan keeps inside the plane.
func FuzzDecodePlane(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0, 255, 0, 0, 0, 255, 0}, 600), 70)
	f.Add(chequers(67, 45, 3).Pix, 67)
	f.Add(make([]byte, 33*40), 33)
	f.Add(finderTiles(320, 240, 2, 2), 320) // many candidates for gozxing (see maxCentres)
	f.Fuzz(func(t *testing.T, data []byte, w int) {
		if w <= 0 || w > 2048 || len(data) < w {
			return
		}
		h := len(data) / w
		fr := Frame{Width: w, Height: h, Stride: w, Y: data[:w*h]}
		d := NewDecoder()
		if text, err := d.Decode(&fr); err == nil && text == "" {
			t.Fatal("no error and no text")
		}
		for _, s := range d.finders.found {
			if s.x < 0 || s.y < 0 || s.x > float64(w) || s.y > float64(h) {
				t.Fatalf("spot at (%.0f, %.0f) outside %dx%d", s.x, s.y, w, h)
			}
		}
	})
}
