package camera

import (
	"errors"
	"image"
)

// DecodeImage reads the QR code in img: its luminance is taken once, then
// every decoding step is tried, an Aztec code last (EU health certificates
// may come as one). ErrNoCode when there is none to read.
func DecodeImage(img image.Image) (string, error) {
	return NewDecoder().DecodeImage(img)
}

// DecodeImage is DecodeImage reusing d's working buffers. The frame is
// its own, not d's: for a grey or YCbCr image it is img's pixels, which a
// later DecodeJPEG must not write into.
func (d *Decoder) DecodeImage(img image.Image) (string, error) {
	if img == nil {
		return "", errors.New("no image")
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return "", errors.New("empty image")
	}
	var f Frame
	FrameFromImage(img, &f)
	return d.Decode(&f)
}

// DecodeJPEG reads the QR code in the JPEG image buf with the full effort
// of Decode, from the luminance alone (see LumaJPEG).
func DecodeJPEG(buf []byte) (string, error) {
	return NewDecoder().DecodeJPEG(buf)
}

// DecodeJPEG is DecodeJPEG reusing d's buffers.
func (d *Decoder) DecodeJPEG(buf []byte) (string, error) {
	if err := LumaJPEG(buf, 1, &d.frame); err != nil {
		return "", err
	}
	return d.Decode(&d.frame)
}
