// Package camera owns where frames come from (V4L2 webcams, a folder of
// images replayed, demo passes from the reference service) and how QR text
// is read from them. Decoding works on a frame's luminance plane only; the
// preview is the one place a frame becomes RGBA, at a lower rate.
package camera

import (
	"fmt"
	"image"
	"image/color"
	"time"
)

// Frame is one picture from a source. Y is its luminance plane, row-major
// with Stride bytes between rows; Color, when set, is the same picture in
// colour for the preview (it may share Y).
type Frame struct {
	Width, Height int
	Stride        int
	Y             []byte
	Color         image.Image

	// raw holds a device frame not yet converted (see load): conversion
	// waits until the decoder takes the frame, so frames that the newest
	// one replaces cost nothing.
	raw    []byte
	jpeg   []byte    // the MJPEG frame the plane came from, for the preview
	got    time.Time // when the source gave the frame
	format PixelFormat
	rawW   int
	rawH   int
}

// setRaw keeps a copy of a device frame for load.
func (f *Frame) setRaw(buf []byte, m Mode) {
	f.raw = append(f.raw[:0], buf...)
	f.format, f.rawW, f.rawH = m.Format, m.Width, m.Height
}

// load converts a pending device frame into the luminance plane.
func (f *Frame) load() error {
	f.jpeg = nil
	if len(f.raw) == 0 {
		return nil
	}
	raw := f.raw
	f.raw = f.raw[:0]
	switch f.format {
	case FormatYUYV:
		return FromYUYV(raw, f.rawW, f.rawH, f)
	case FormatMJPEG:
		f.jpeg = raw // stays valid until the next setRaw
		return FromMJPEG(raw, f)
	}
	return fmt.Errorf("pixel format %v is not read", f.format)
}

// valid reports whether the plane holds Width x Height samples.
func (f *Frame) valid() bool {
	if f.Width <= 0 || f.Height <= 0 || f.Stride < f.Width {
		return false
	}
	return len(f.Y) >= (f.Height-1)*f.Stride+f.Width
}

// grow returns b resized to n bytes, reusing its storage when it can.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]byte, n)
}

// FrameFromImage fills f with img's luminance. It reads the Y plane of a
// *image.YCbCr and the pixels of a *image.Gray without conversion; other
// images are converted once, with the BT.601 weights image/color uses.
func FrameFromImage(img image.Image, f *Frame) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	f.Width, f.Height, f.Color = w, h, img
	switch m := img.(type) {
	case *image.YCbCr:
		off := m.YOffset(b.Min.X, b.Min.Y)
		f.Stride = m.YStride
		f.Y = m.Y[off:]
		return
	case *image.Gray:
		off := m.PixOffset(b.Min.X, b.Min.Y)
		f.Stride = m.Stride
		f.Y = m.Pix[off:]
		return
	}
	f.Stride = w
	f.Y = grow(f.Y[:0:0], w*h)
	switch m := img.(type) {
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := f.Y[y*w : y*w+w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				// Transparent pixels read as white, like paper behind a code.
				r, g, bl, a := uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3])
				r = (r*a + 255*(255-a)) / 255
				g = (g*a + 255*(255-a)) / 255
				bl = (bl*a + 255*(255-a)) / 255
				out[x] = uint8((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := f.Y[y*w : y*w+w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: add the white the alpha leaves uncovered.
				k := 255 - uint32(p[3])
				r, g, bl := uint32(p[0])+k, uint32(p[1])+k, uint32(p[2])+k
				out[x] = uint8((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
			}
		}
	case *image.Paletted:
		// Luminance per palette entry once, then a lookup per pixel.
		var lum [256]uint8
		for i, c := range m.Palette {
			lum[i] = grayOf(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := f.Y[y*w : y*w+w]
			for x := range out {
				out[x] = lum[row[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			out := f.Y[y*w : y*w+w]
			for x := range out {
				out[x] = grayOf(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
}

// grayOf is c's luminance over a white background.
func grayOf(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	k := 0xffff - a
	gray := color.Gray16Model.Convert(color.RGBA64{uint16(r + k), uint16(g + k), uint16(b + k), 0xffff}).(color.Gray16)
	return uint8(gray.Y >> 8)
}
