// Command iconmaker draws PassDesk's application icon (assets/icon.png):
// a rounded dark-teal tile with the three finder squares of a QR code and a
// green admit badge with a white tick. Run through `go generate ./assets`.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 512

var (
	tile  = color.NRGBA{0x0d, 0x4f, 0x5c, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	green = color.NRGBA{0x1e, 0x9e, 0x4a, 0xff}
)

func main() {
	out := flag.String("o", "icon.png", "output PNG")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iconmaker:", err)
		os.Exit(2)
	}
	if err := png.Encode(f, draw()); err != nil {
		fmt.Fprintln(os.Stderr, "iconmaker:", err)
		os.Exit(2)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "iconmaker:", err)
		os.Exit(2)
	}
}

// draw paints the icon with 4x4 supersampling so the curves are smooth.
func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := shade(float64(x)+(float64(sx)+0.5)/ss, float64(y)+(float64(sy)+0.5)/ss)
					al := float64(c.A) / 255
					r += float64(c.R) * al
					g += float64(c.G) * al
					b += float64(c.B) * al
					a += al
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a), A: uint8(a / n * 255),
			})
		}
	}
	return img
}

// shade says what colour the point (x, y) is, transparent outside the tile.
func shade(x, y float64) color.NRGBA {
	if !inRoundRect(x, y, 16, 16, 496, 496, 96) {
		return color.NRGBA{}
	}
	// The green badge with its tick sits over the bottom-right corner.
	if d := math.Hypot(x-352, y-352); d <= 118 {
		if d >= 108 {
			return white
		}
		if nearSegment(x, y, 296, 354, 338, 396, 15) || nearSegment(x, y, 338, 396, 414, 312, 15) {
			return white
		}
		return green
	}
	for _, o := range [][2]float64{{80, 80}, {272, 80}, {80, 272}} {
		if finder(x-o[0], y-o[1]) {
			return white
		}
	}
	return tile
}

// finder is a QR finder pattern 160 units wide: a ring and a centre square.
func finder(x, y float64) bool {
	if x < 0 || y < 0 || x >= 160 || y >= 160 {
		return false
	}
	ring := x < 23 || y < 23 || x >= 137 || y >= 137
	centre := x >= 46 && y >= 46 && x < 114 && y < 114
	return ring || centre
}

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || y < y0 || x >= x1 || y >= y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return math.Hypot(x-cx, y-cy) <= r
}

// nearSegment reports whether (x, y) lies within w of the segment a-b.
func nearSegment(x, y, ax, ay, bx, by, w float64) bool {
	dx, dy := bx-ax, by-ay
	t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-(ax+t*dx), y-(ay+t*dy)) <= w
}
