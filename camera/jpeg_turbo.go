//go:build cgo && !noturbojpeg

package camera

/*
#cgo pkg-config: libturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

const jpegBackend = "libjpeg-turbo"

// tjFlags: the fast integer IDCT (the modules of a code are far larger
// than its error), and a bound on progressive scans so that a hostile
// file cannot make one decode take seconds.
const tjFlags = C.TJFLAG_FASTDCT | C.TJFLAG_LIMITSCANS

// turbo is one libjpeg-turbo decompressor. A handle is not safe for
// concurrent use, so each call takes one from a small free list and puts
// it back; a handle that failed on a frame is destroyed instead (its
// state after an error is not to be trusted), as are handles beyond the
// list's room.
type turbo struct{ h C.tjhandle }

var turboFree = make(chan *turbo, 4)

func getTurbo() (*turbo, error) {
	select {
	case t := <-turboFree:
		return t, nil
	default:
	}
	h := C.tjInitDecompress()
	if h == nil {
		return nil, fmt.Errorf("libjpeg-turbo: cannot start a decompressor")
	}
	return &turbo{h: h}, nil
}

// release puts t back when err is nil, else destroys it.
func (t *turbo) release(err error) {
	if err == nil {
		select {
		case turboFree <- t:
			return
		default:
		}
	}
	C.tjDestroy(t.h)
}

// header reads the picture's size.
func (t *turbo) header(buf []byte) (w, h int, err error) {
	var cw, ch, sub, cs C.int
	if C.tjDecompressHeader3(t.h, (*C.uchar)(unsafe.Pointer(&buf[0])), C.ulong(len(buf)), &cw, &ch, &sub, &cs) != 0 {
		return 0, 0, t.err("JPEG header")
	}
	w, h = int(cw), int(ch)
	return w, h, checkPictureSize("JPEG", w, h)
}

// decode writes buf into dst as w x h pixels of format pf (w and h being
// a scaled size libjpeg-turbo supports). A warning (a frame cut short on
// the cable) still gives a picture: the lost part is grey.
func (t *turbo) decode(buf, dst []byte, w, h, pitch int, pf C.int) error {
	rc := C.tjDecompress2(t.h, (*C.uchar)(unsafe.Pointer(&buf[0])), C.ulong(len(buf)),
		(*C.uchar)(unsafe.Pointer(&dst[0])), C.int(w), C.int(pitch), C.int(h), pf, tjFlags)
	if rc != 0 && C.tjGetErrorCode(t.h) != C.TJERR_WARNING {
		return t.err("JPEG data")
	}
	return nil
}

func (t *turbo) err(what string) error {
	return fmt.Errorf("%s: %s", what, C.GoString(C.tjGetErrorStr2(t.h)))
}

func lumaJPEG(buf []byte, shrink int, f *Frame) error {
	t, err := getTurbo()
	if err != nil {
		return err
	}
	w, h, err := t.header(buf)
	if err != nil {
		t.release(err)
		return err
	}
	sw, sh := shrunk(w, shrink), shrunk(h, shrink)
	y := grow(f.Y[:0:cap(f.Y)], sw*sh)
	err = t.decode(buf, y, sw, sh, sw, C.TJPF_GRAY)
	t.release(err)
	if err != nil {
		return err
	}
	f.Width, f.Height, f.Stride, f.Y, f.Color = sw, sh, sw, y, nil
	return nil
}

func previewJPEG(buf []byte, maxW int) (*image.RGBA, error) {
	t, err := getTurbo()
	if err != nil {
		return nil, err
	}
	w, h, err := t.header(buf)
	if err != nil {
		t.release(err)
		return nil, err
	}
	shrink := 1
	for shrink < 8 && shrunk(w, shrink) > maxW {
		shrink *= 2
	}
	sw, sh := shrunk(w, shrink), shrunk(h, shrink)
	img := image.NewRGBA(image.Rect(0, 0, sw, sh))
	err = t.decode(buf, img.Pix, sw, sh, img.Stride, C.TJPF_RGBA)
	t.release(err)
	if err != nil {
		return nil, err
	}
	return img, nil
}
