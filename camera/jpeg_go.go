//go:build !cgo || noturbojpeg

package camera

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

const jpegBackend = "image/jpeg"

// lumaJPEG is the pure-Go decoding: image/jpeg decodes the whole picture
// (it cannot skip the chroma), and the shrink is a box average of the
// luminance, close to what a DCT scaling gives.
func lumaJPEG(buf []byte, shrink int, f *Frame) error {
	img, err := decodeJPEG(buf)
	if err != nil {
		return err
	}
	var full Frame
	FrameFromImage(img, &full)
	y := full.Y
	w, h := full.Width, full.Height
	if full.Stride != w || shrink > 1 {
		y = grow(f.Y[:0:cap(f.Y)], shrunk(w, shrink)*shrunk(h, shrink))
		shrinkPlane(y, full.Y, w, h, full.Stride, shrink)
		w, h = shrunk(w, shrink), shrunk(h, shrink)
	}
	f.Width, f.Height, f.Stride, f.Y, f.Color = w, h, w, y, nil
	return nil
}

func previewJPEG(buf []byte, maxW int) (*image.RGBA, error) {
	img, err := decodeJPEG(buf)
	if err != nil {
		return nil, err
	}
	var f Frame
	FrameFromImage(img, &f)
	return previewImage(&f, maxW), nil
}

func decodeJPEG(buf []byte) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(buf))
	if err != nil {
		return nil, fmt.Errorf("JPEG header: %w", err)
	}
	if err := checkJPEGSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(withHuffmanTables(buf)))
	if err != nil {
		return nil, fmt.Errorf("JPEG data: %w", err)
	}
	return img, nil
}

// shrinkPlane writes src (w x h, stride) averaged over shrink x shrink
// blocks into dst, rows back to back; edge blocks average what they hold.
func shrinkPlane(dst, src []byte, w, h, stride, shrink int) {
	sw := shrunk(w, shrink)
	for by := 0; by < shrunk(h, shrink); by++ {
		y0, y1 := by*shrink, min(by*shrink+shrink, h)
		for bx := 0; bx < sw; bx++ {
			x0, x1 := bx*shrink, min(bx*shrink+shrink, w)
			sum := 0
			for y := y0; y < y1; y++ {
				for _, v := range src[y*stride+x0 : y*stride+x1] {
					sum += int(v)
				}
			}
			n := (y1 - y0) * (x1 - x0)
			dst[by*sw+bx] = uint8((sum + n/2) / n)
		}
	}
}
