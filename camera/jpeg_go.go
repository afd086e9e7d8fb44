//go:build !cgo || noturbojpeg

package camera

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"sync"
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
	if err := checkPictureSize("JPEG", cfg.Width, cfg.Height); err != nil {
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

// withHuffmanTables returns buf with the standard Huffman tables inserted
// before its first start-of-scan when it has no DHT segment of its own.
func withHuffmanTables(buf []byte) []byte {
	sos := -1
	for i := 2; i+4 <= len(buf); {
		if buf[i] != 0xFF {
			return buf // not a marker where one should be: let the decoder say so
		}
		marker := buf[i+1]
		switch {
		case marker == 0xC4:
			return buf
		case marker == 0xDA:
			sos = i
		case marker == 0xFF: // fill byte
			i++
			continue
		}
		if sos >= 0 {
			break
		}
		i += 2 + int(buf[i+2])<<8 | int(buf[i+3])
	}
	if sos < 0 {
		return buf
	}
	dht := standardDHT()
	out := make([]byte, 0, len(buf)+len(dht))
	out = append(out, buf[:sos]...)
	out = append(out, dht...)
	return append(out, buf[sos:]...)
}

// standardDHT is the DHT segment with the four tables of the JPEG
// standard (Annex K.3), taken from what image/jpeg writes: its encoder
// always uses those tables.
var standardDHT = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		return nil
	}
	var out []byte
	data := b.Bytes()
	for i := 2; i+4 <= len(data) && data[i] == 0xFF && data[i+1] != 0xDA; {
		n := int(data[i+2])<<8 | int(data[i+3])
		if data[i+1] == 0xC4 {
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	return out
})
