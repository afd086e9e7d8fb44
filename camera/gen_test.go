package camera

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// The frame generator: webcam-like pictures of PD1-like codes, made from a
// fixed seed so every run sees the same frames.

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Frame kinds. easy frames must all decode; the others are the hard tier.
const (
	kindEasy     = "easy"
	kindSmall    = "small"
	kindRotated  = "rotated"
	kindKeystone = "keystone"
	kindBlur     = "blur"
	kindNoise    = "noise"
	kindContrast = "contrast"
	kindJPEG     = "jpeg"
	kindDark     = "dark"
	kindMotion   = "motion"
	kindShadow   = "shadow"
	kindNone     = "none"
)

var hardKinds = []string{kindSmall, kindRotated, kindKeystone, kindBlur, kindNoise, kindContrast, kindJPEG, kindDark, kindMotion, kindShadow}

// genFrame is one generated picture and the text it shows ("" for none).
type genFrame struct {
	kind string
	text string
	img  *image.Gray
}

func (g genFrame) frame() Frame {
	var f Frame
	FrameFromImage(g.img, &f)
	return f
}

// pd1Text returns "PD1:" and Base45 characters, 300 to 450 in all.
func pd1Text(r *rand.Rand) string {
	n := 300 + r.Intn(151)
	b := []byte("PD1:")
	for len(b) < n {
		b = append(b, base45Alphabet[r.Intn(len(base45Alphabet))])
	}
	return string(b)
}

// qrModules encodes text as a matrix of modules, one bit a module, no margin.
func qrModules(text string) *gozxing.BitMatrix {
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           0,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		panic(err)
	}
	return m
}

// scene describes how a code sits in a frame.
type scene struct {
	module   float64 // pixels per module
	angle    float64 // radians
	keystone float64 // how far corners move, as a fraction of the side
	blur     float64 // Gaussian sigma in pixels, 0 for none
	noise    float64 // Gaussian noise sigma in grey levels
	black    float64 // grey of a dark module
	white    float64 // grey of a light module
	dark     bool    // light modules on dark ground
	jpegQ    int     // 0 for no JPEG round trip
	motion   int     // length in pixels of a horizontal motion blur, 0 for none
	shadow   float64 // light lost across the frame, 0 for even light
}

func sceneFor(kind string, r *rand.Rand) scene {
	u := func(a, b float64) float64 { return a + (b-a)*r.Float64() }
	s := scene{module: u(4, 6.5), angle: u(-0.15, 0.15), noise: u(2, 5), black: u(20, 50), white: u(200, 235)}
	switch kind {
	case kindSmall:
		s.module = u(2.6, 3.2)
	case kindRotated:
		s.angle = u(-math.Pi, math.Pi)
	case kindKeystone:
		s.keystone = u(0.04, 0.09)
		s.angle = u(-0.4, 0.4)
	case kindBlur:
		s.blur = u(1.3, 1.9)
	case kindNoise:
		s.noise = u(22, 32)
	case kindContrast:
		s.black = u(95, 110)
		s.white = u(150, 165)
		s.noise = u(3, 6)
	case kindJPEG:
		s.jpegQ = 25 + r.Intn(16)
		s.noise = u(6, 10)
	case kindDark:
		s.dark = true
	case kindMotion:
		s.motion = 3 + r.Intn(4)
	case kindShadow:
		s.shadow = u(0.4, 0.6)
	}
	return s
}

// genFrames makes n frames of each kind in kinds, w x h, from seed.
func genFrames(seed int64, kinds []string, n, w, h int) []genFrame {
	r := rand.New(rand.NewSource(seed))
	var out []genFrame
	for _, k := range kinds {
		for i := 0; i < n; i++ {
			out = append(out, genOne(r, k, w, h))
		}
	}
	return out
}

func genOne(r *rand.Rand, kind string, w, h int) genFrame {
	img := image.NewGray(image.Rect(0, 0, w, h))
	background(r, img)
	g := genFrame{kind: kind, img: img}
	s := sceneFor(kind, r)
	if kind != kindNone {
		g.text = pd1Text(r)
		drawCode(r, img, qrModules(g.text), s)
	} else {
		// Things a camera sees that are not codes: a phone with a
		// chequered picture, stripes, text-like marks.
		clutter(r, img)
	}
	if s.shadow > 0 {
		shade(r, img, s.shadow)
	}
	if s.blur > 0 {
		gaussBlur(img, s.blur)
	}
	if s.motion > 0 {
		motionBlur(img, s.motion)
	}
	addNoise(r, img, s.noise)
	if s.jpegQ > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: s.jpegQ}); err != nil {
			panic(err)
		}
		dec, err := jpeg.Decode(&buf)
		if err != nil {
			panic(err)
		}
		g.img = dec.(*image.Gray)
	}
	return g
}

// background paints a lit room: a gradient and a few soft shapes.
func background(r *rand.Rand, img *image.Gray) {
	b := img.Bounds()
	base := 60 + r.Float64()*90
	gx, gy := (r.Float64()-0.5)*80/float64(b.Dx()), (r.Float64()-0.5)*80/float64(b.Dy())
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			img.Pix[y*img.Stride+x] = clamp8(base + gx*float64(x) + gy*float64(y))
		}
	}
	for i := 0; i < 6; i++ {
		x0, y0 := r.Intn(b.Dx()), r.Intn(b.Dy())
		fillRect(img, image.Rect(x0, y0, x0+40+r.Intn(300), y0+40+r.Intn(200)), uint8(30+r.Intn(200)))
	}
}

func clutter(r *rand.Rand, img *image.Gray) {
	b := img.Bounds()
	// A chequerboard, stripes and small dark marks like printed text.
	x0, y0 := r.Intn(b.Dx()/2), r.Intn(b.Dy()/2)
	sq := 6 + r.Intn(20)
	for y := 0; y < 12; y++ {
		for x := 0; x < 12; x++ {
			v := uint8(230)
			if (x+y)%2 == 0 {
				v = 25
			}
			fillRect(img, image.Rect(x0+x*sq, y0+y*sq, x0+(x+1)*sq, y0+(y+1)*sq), v)
		}
	}
	for i := 0; i < 20; i++ {
		x := r.Intn(b.Dx())
		fillRect(img, image.Rect(x, 0, x+2+r.Intn(8), b.Dy()/3), uint8(r.Intn(256)))
	}
	for i := 0; i < 400; i++ {
		x, y := r.Intn(b.Dx()), r.Intn(b.Dy())
		fillRect(img, image.Rect(x, y, x+2+r.Intn(7), y+2+r.Intn(9)), uint8(r.Intn(60)))
	}
}

func fillRect(img *image.Gray, rect image.Rectangle, v uint8) {
	rect = rect.Intersect(img.Bounds())
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		row := img.Pix[y*img.Stride:]
		for x := rect.Min.X; x < rect.Max.X; x++ {
			row[x] = v
		}
	}
}

// drawCode draws the modules as a phone screen would show them: a quiet
// zone of 4 modules on a screen, a bezel around, placed by a perspective
// map with 2x2 supersampling.
func drawCode(r *rand.Rand, img *image.Gray, m *gozxing.BitMatrix, s scene) {
	n := float64(m.GetWidth())
	const quiet = 4.0
	screen := n + 2*quiet + 4 // the screen reaches 2 modules past the quiet zone
	b := img.Bounds()
	// Keep the whole screen in the frame whatever the angle and keystone.
	reach := screen * (math.Abs(math.Cos(s.angle)) + math.Abs(math.Sin(s.angle)) + s.keystone)
	s.module = math.Min(s.module, 0.95*float64(min(b.Dx(), b.Dy()))/reach)
	side := screen * s.module
	cx := float64(b.Dx())/2 + (r.Float64()-0.5)*math.Max(0, float64(b.Dx())-side*1.5)*0.8
	cy := float64(b.Dy())/2 + (r.Float64()-0.5)*math.Max(0, float64(b.Dy())-side*1.5)*0.8
	// Corners of the screen square, rotated, then moved for keystone.
	var dst [4][2]float64
	// Keystone is a tilted phone: one edge nearer the camera than the
	// opposite one, so the code is a trapezoid along a random axis.
	tiltX := r.Intn(2) == 0
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*side/2, c[1]*side/2
		if tiltX {
			x *= 1 + s.keystone*c[1]
		} else {
			y *= 1 + s.keystone*c[0]
		}
		sin, cos := math.Sincos(s.angle)
		dst[i] = [2]float64{cx + x*cos - y*sin, cy + x*sin + y*cos}
	}
	hm := squareToQuad(dst)
	inv := invert3(hm)
	minX, minY, maxX, maxY := dst[0][0], dst[0][1], dst[0][0], dst[0][1]
	for _, p := range dst {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	bezel := s.black * 0.5
	lo, hi := s.black, s.white
	if s.dark {
		lo, hi = hi, lo
	}
	rect := image.Rect(int(minX)-1, int(minY)-1, int(maxX)+2, int(maxY)+2).Intersect(b)
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			var sum float64
			hit := 0
			for _, d := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				u, v := apply(inv, float64(x)+d[0], float64(y)+d[1])
				if u < 0 || u >= 1 || v < 0 || v >= 1 {
					sum += float64(img.Pix[y*img.Stride+x])
					continue
				}
				hit++
				mx, my := u*screen-quiet-2, v*screen-quiet-2
				switch {
				case u*screen < 1 || u*screen >= screen-1 || v*screen < 1 || v*screen >= screen-1:
					sum += bezel
				case mx >= 0 && my >= 0 && mx < n && my < n && m.Get(int(mx), int(my)):
					sum += lo
				default:
					sum += hi
				}
			}
			if hit > 0 {
				img.Pix[y*img.Stride+x] = clamp8(sum / 4)
			}
		}
	}
}

// squareToQuad is the homography taking the unit square's corners
// (0,0) (1,0) (1,1) (0,1) to q.
func squareToQuad(q [4][2]float64) [9]float64 {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]
	dx3, dy3 := x0-x1+x2-x3, y0-y1+y2-y3
	if dx3 == 0 && dy3 == 0 {
		return [9]float64{x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0, 1}
	}
	dx1, dx2, dy1, dy2 := x1-x2, x3-x2, y1-y2, y3-y2
	den := dx1*dy2 - dx2*dy1
	a13 := (dx3*dy2 - dx2*dy3) / den
	a23 := (dx1*dy3 - dx3*dy1) / den
	return [9]float64{x1 - x0 + a13*x1, x3 - x0 + a23*x3, x0, y1 - y0 + a13*y1, y3 - y0 + a23*y3, y0, a13, a23, 1}
}

func invert3(m [9]float64) [9]float64 {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return [9]float64{
		(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det,
		(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det,
		(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det,
	}
}

func apply(m [9]float64, x, y float64) (float64, float64) {
	w := m[6]*x + m[7]*y + m[8]
	return (m[0]*x + m[1]*y + m[2]) / w, (m[3]*x + m[4]*y + m[5]) / w
}

func gaussBlur(img *image.Gray, sigma float64) {
	rad := int(math.Ceil(sigma * 3))
	k := make([]float64, 2*rad+1)
	var sum float64
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				xx := min(max(x+i-rad, 0), w-1)
				v += kv * float64(img.Pix[y*img.Stride+xx])
			}
			tmp[y*w+x] = v
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				yy := min(max(y+i-rad, 0), h-1)
				v += kv * tmp[yy*w+x]
			}
			img.Pix[y*img.Stride+x] = clamp8(v)
		}
	}
}

func addNoise(r *rand.Rand, img *image.Gray, sigma float64) {
	for i, v := range img.Pix {
		img.Pix[i] = clamp8(float64(v) + r.NormFloat64()*sigma)
	}
}

func clamp8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

func (g genFrame) String() string {
	return fmt.Sprintf("%s frame (%d chars)", g.kind, len(g.text))
}

// shade darkens the frame along a random direction, as a hand or a
// window does: the far side keeps 1-loss of its light.
func shade(r *rand.Rand, img *image.Gray, loss float64) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	a := r.Float64() * 2 * math.Pi
	dx, dy := math.Cos(a), math.Sin(a)
	span := math.Abs(dx)*float64(w) + math.Abs(dy)*float64(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := ((float64(x)-float64(w)/2)*dx+(float64(y)-float64(h)/2)*dy)/span + 0.5
			i := y*img.Stride + x
			img.Pix[i] = clamp8(float64(img.Pix[i]) * (1 - loss*t))
		}
	}
}

// motionBlur averages n pixels along each row: the phone moved sideways
// while the shutter was open.
func motionBlur(img *image.Gray, n int) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	row := make([]float64, w)
	for y := 0; y < h; y++ {
		p := img.Pix[y*img.Stride : y*img.Stride+w]
		for x := range row {
			var sum float64
			for k := 0; k < n; k++ {
				sum += float64(p[min(x+k-n/2, w-1)*boolInt(x+k-n/2 >= 0)])
			}
			row[x] = sum / float64(n)
		}
		for x, v := range row {
			p[x] = clamp8(v)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
