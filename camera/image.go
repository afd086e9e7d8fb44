package camera

import (
	"errors"
	"image"
)

// DecodeImage reads the QR code in img: its luminance is taken once, then
// every decoding step is tried, an Aztec code last (EU health certificates
// may come as one). ErrNoCode when there is none to read.
func DecodeImage(img image.Image) (string, error) {
	if img == nil {
		return "", errors.New("no image")
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return "", errors.New("empty image")
	}
	var f Frame
	FrameFromImage(img, &f)
	return NewDecoder().Decode(&f)
}
