package camera

import (
	"errors"
	"fmt"
	"image"
)

// FromYUYV fills f from a packed YUYV 4:2:2 buffer (Y0 U Y1 V for each
// pair of pixels) of w x h. The Y bytes are copied into f's own plane,
// reused between frames, and the chroma into half-width planes, so the
// frame is also a colour *image.YCbCr for the preview.
func FromYUYV(buf []byte, w, h int, f *Frame) error {
	if w <= 0 || h <= 0 || w%2 != 0 {
		return fmt.Errorf("YUYV frame of %dx%d: the width must be even and positive", w, h)
	}
	if len(buf) < w*h*2 {
		return fmt.Errorf("YUYV frame of %dx%d needs %d bytes, got %d", w, h, w*h*2, len(buf))
	}
	img, _ := f.Color.(*image.YCbCr)
	if img == nil || img.Rect.Dx() != w || img.Rect.Dy() != h || img.SubsampleRatio != image.YCbCrSubsampleRatio422 {
		img = image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio422)
	}
	cw := w / 2
	for y := 0; y < h; y++ {
		src := buf[y*w*2 : (y+1)*w*2]
		yr := img.Y[y*img.YStride : y*img.YStride+w]
		cb := img.Cb[y*img.CStride : y*img.CStride+cw]
		cr := img.Cr[y*img.CStride : y*img.CStride+cw]
		for i := 0; i < cw; i++ {
			p := src[4*i : 4*i+4 : 4*i+4]
			yr[2*i], cb[i], yr[2*i+1], cr[i] = p[0], p[1], p[2], p[3]
		}
	}
	f.Width, f.Height, f.Stride, f.Y, f.Color = w, h, img.YStride, img.Y, img
	return nil
}

// FromMJPEG fills f with the luminance of one Motion-JPEG frame (see
// LumaJPEG): the chroma is not decoded, f.Color stays nil, and the
// preview decodes the frame's colour on its own, at its own rate. Many
// webcams leave the Huffman tables out of their frames (they are the
// standard ones); both decoders put them back.
func FromMJPEG(buf []byte, f *Frame) error {
	if len(buf) < 4 || buf[0] != 0xFF || buf[1] != 0xD8 {
		return errors.New("MJPEG frame does not start with a JPEG marker")
	}
	if err := LumaJPEG(buf, 1, f); err != nil {
		return fmt.Errorf("MJPEG frame: %w", err)
	}
	return nil
}
