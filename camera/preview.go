package camera

import (
	"image"
	"image/color"
)

// previewImage is f scaled down to at most maxW pixels wide (nearest
// sample: the preview is for aiming, not for reading), in RGBA.
func previewImage(f *Frame, maxW int) *image.RGBA {
	step := 1
	for f.Width/step > maxW {
		step++
	}
	w, h := f.Width/step, f.Height/step
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	ycc, _ := f.Color.(*image.YCbCr)
	for y := 0; y < h; y++ {
		row := out.Pix[y*out.Stride : y*out.Stride+4*w]
		sy := y * step
		for x := 0; x < w; x++ {
			sx := x * step
			p := row[4*x : 4*x+4 : 4*x+4]
			if ycc != nil {
				b := ycc.Rect.Min
				yi, ci := ycc.YOffset(b.X+sx, b.Y+sy), ycc.COffset(b.X+sx, b.Y+sy)
				p[0], p[1], p[2] = color.YCbCrToRGB(ycc.Y[yi], ycc.Cb[ci], ycc.Cr[ci])
			} else {
				v := f.Y[sy*f.Stride+sx]
				p[0], p[1], p[2] = v, v, v
			}
			p[3] = 0xFF
		}
	}
	return out
}
