package camera

import (
	"errors"
	"fmt"
	"image"
)

// maxPixels bounds the pictures a JPEG or PNG header may ask for: a
// webcam frame or a photo of a pass is far below it, and a damaged or
// hostile header must not make the kiosk allocate gigabytes.
const maxPixels = 8192 * 8192

// errNotJPEG is the error for bytes that do not start like a JPEG.
var errNotJPEG = errors.New("not a JPEG image (no start-of-image marker)")

// LumaJPEG fills f with the luminance of the JPEG image buf, at full size
// (shrink 1) or reduced by shrink (2, 4 or 8) as the JPEG's own DCT
// scaling does it. Only the luminance is decoded: the chroma, which QR
// decoding does not need, is skipped. f's plane is reused between calls;
// f.Color is cleared. With cgo and libjpeg-turbo (the default build) the
// decoding is libjpeg-turbo's; built with CGO_ENABLED=0 or the tag
// noturbojpeg, it is image/jpeg's.
func LumaJPEG(buf []byte, shrink int, f *Frame) error {
	if len(buf) < 4 || buf[0] != 0xFF || buf[1] != 0xD8 {
		return errNotJPEG
	}
	switch shrink {
	case 1, 2, 4, 8:
	default:
		return fmt.Errorf("JPEG shrink %d: want 1, 2, 4 or 8", shrink)
	}
	return lumaJPEG(buf, shrink, f)
}

// PreviewJPEG decodes the JPEG image buf in colour for the preview, at
// most maxW pixels wide (shrunk by 1, 2, 4 or 8, whichever fits first).
func PreviewJPEG(buf []byte, maxW int) (*image.RGBA, error) {
	if len(buf) < 4 || buf[0] != 0xFF || buf[1] != 0xD8 {
		return nil, errNotJPEG
	}
	return previewJPEG(buf, max(maxW, 1))
}

// JPEGDecoder names the JPEG decoding this build uses, for benchmarks
// and `passdesk doctor`: "libjpeg-turbo" or "image/jpeg".
func JPEGDecoder() string { return jpegBackend }

// checkPictureSize refuses pictures with no pixels or too many; format
// names the file's kind (JPEG, PNG).
func checkPictureSize(format string, w, h int) error {
	if w <= 0 || h <= 0 || w > maxPixels/h {
		return fmt.Errorf("%s image of %dx%d is not a picture this kiosk reads", format, w, h)
	}
	return nil
}

// shrunk is a dimension after a JPEG DCT scaling of 1/shrink.
func shrunk(v, shrink int) int { return (v + shrink - 1) / shrink }
