package camera

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand"
)

// The second frame generator: webcam JPEG frames made to the description
// of the independent test set the decoder is measured against, harder
// than the first generator's hard tier. A phone held up in a cluttered,
// unevenly lit room, its screen showing a PD1 code of 330 to 450
// characters, in three tiers:
//
//	easy  code 260-420 px wide, rotated up to ±15°, slight blur and noise
//	hard  code 170-290 px wide, ±35°, keystone up to 0.25, blur σ 0.8-1.7,
//	      contrast 0.45-0.8, noise σ 4-10, JPEG quality 70-92, one in ten inverted
//	none  the same rooms, the phone showing no code
//
// Each frame is a colour 4:2:0 JPEG, as a webcam sends in MJPEG.

// Scene tiers.
const (
	tierEasy = "easy"
	tierHard = "hard"
	tierNone = "none"
)

// sceneFrame is one generated JPEG and the text it shows ("" for none).
type sceneFrame struct {
	tier string
	text string
	jpeg []byte
	look codeLook
}

// sceneFrames makes n frames of each tier from seed.
func sceneFrames(seed int64, n int) []sceneFrame {
	r := rand.New(rand.NewSource(seed))
	var out []sceneFrame
	for _, tier := range []string{tierEasy, tierHard, tierNone} {
		for i := 0; i < n; i++ {
			out = append(out, sceneOne(r, tier, i))
		}
	}
	return out
}

// codeLook is how the code on the phone looks to the camera.
type codeLook struct {
	width    float64 // pixels across the code, quiet zone excluded
	angle    float64
	keystone float64
	blur     float64
	contrast float64 // light minus dark module, as a share of the screen's white
	noise    float64
	quality  int
	inverted bool
}

func lookFor(r *rand.Rand, tier string, i int) codeLook {
	u := func(a, b float64) float64 { return a + (b-a)*r.Float64() }
	if tier == tierHard {
		return codeLook{
			width: u(170, 290), angle: u(-35, 35) * math.Pi / 180, keystone: u(0, 0.25),
			blur: u(0.8, 1.7), contrast: u(0.45, 0.8), noise: u(4, 10),
			quality: 70 + r.Intn(23), inverted: i%10 == 9,
		}
	}
	return codeLook{
		width: u(260, 420), angle: u(-15, 15) * math.Pi / 180, keystone: u(0, 0.05),
		blur: u(0.3, 0.7), contrast: u(0.85, 1), noise: u(1.5, 3.5), quality: 80 + r.Intn(16),
	}
}

func sceneOne(r *rand.Rand, tier string, i int) sceneFrame {
	return sceneShowing(r, tier, i, "")
}

// sceneShowing is sceneOne with the code's text given ("" to draw one).
func sceneShowing(r *rand.Rand, tier string, i int, text string) sceneFrame {
	const w, h = 1280, 720
	img := image.NewGray(image.Rect(0, 0, w, h))
	room(r, img)
	lk := lookFor(r, tier, i)
	sf := sceneFrame{tier: tier, look: lk}
	if tier != tierNone {
		sf.text = text
		for len(sf.text) < 330 {
			sf.text = pd1Text(r)
		}
	}
	phone(r, img, sf.text, lk)
	light(r, img)
	if lk.blur > 0 {
		gaussBlur(img, lk.blur)
	}
	addNoise(r, img, lk.noise)
	sf.jpeg = colourJPEG(r, img, lk.quality)
	return sf
}

// room paints a cluttered scene: a wall gradient, furniture-sized blocks,
// shelves of small objects, stripes, and print-like marks.
func room(r *rand.Rand, img *image.Gray) {
	b := img.Bounds()
	base := 70 + r.Float64()*100
	gx, gy := (r.Float64()-0.5)*100/float64(b.Dx()), (r.Float64()-0.5)*100/float64(b.Dy())
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			img.Pix[y*img.Stride+x] = clamp8(base + gx*float64(x) + gy*float64(y))
		}
	}
	for i := 0; i < 14; i++ {
		x0, y0 := r.Intn(b.Dx()), r.Intn(b.Dy())
		fillRect(img, image.Rect(x0, y0, x0+30+r.Intn(360), y0+30+r.Intn(260)), uint8(20+r.Intn(220)))
	}
	for i := 0; i < 3; i++ { // a keyboard, a tiled floor, a chequered shirt
		x0, y0, sq := r.Intn(b.Dx()), r.Intn(b.Dy()), 4+r.Intn(22)
		a, c := uint8(20+r.Intn(60)), uint8(170+r.Intn(80))
		for y := 0; y < 6+r.Intn(10); y++ {
			for x := 0; x < 6+r.Intn(10); x++ {
				v := c
				if (x+y)%2 == 0 {
					v = a
				}
				fillRect(img, image.Rect(x0+x*sq, y0+y*sq, x0+(x+1)*sq-1, y0+(y+1)*sq-1), v)
			}
		}
	}
	for i := 0; i < 30; i++ {
		x := r.Intn(b.Dx())
		fillRect(img, image.Rect(x, r.Intn(b.Dy()), x+1+r.Intn(10), b.Dy()), uint8(r.Intn(256)))
	}
	for i := 0; i < 900; i++ { // print on boxes and posters
		x, y := r.Intn(b.Dx()), r.Intn(b.Dy())
		fillRect(img, image.Rect(x, y, x+2+r.Intn(6), y+3+r.Intn(8)), uint8(r.Intn(70)))
	}
}

// phone draws a phone at the code's pose: a dark body, a lit screen, and
// on it the code with a four-module quiet zone (or, for none, lines of
// text-like blocks where the code would be).
func phone(r *rand.Rand, img *image.Gray, text string, lk codeLook) {
	var m interface {
		GetWidth() int
		Get(x, y int) bool
	}
	n := 45.0 + 4*float64(r.Intn(5)) // the size a code of this length has
	if text != "" {
		mm := qrModules(text)
		m, n = mm, float64(mm.GetWidth())
	}
	mod := lk.width / n
	// In module units around the code's centre: the screen is the quiet
	// zone and more below and above; the body a bezel around the screen.
	scrW, scrH := n/2+4+2, n/2+4+n*0.7
	bodyW, bodyH := scrW+2.5, scrH+5
	b := img.Bounds()
	reach := math.Hypot(bodyW, bodyH) * mod * (1 + lk.keystone)
	cx := reach*0.6 + r.Float64()*math.Max(1, float64(b.Dx())-1.2*reach)
	cy := float64(b.Dy())/2 + (r.Float64()-0.5)*math.Max(0, float64(b.Dy())-2*n*mod)*0.8
	white := 150 + r.Float64()*95
	dark := white * (1 - lk.contrast)
	light := white
	if lk.inverted {
		light, dark = dark, light
	}
	tiltX := r.Intn(2) == 0
	// The code's module square (0..n) maps to the frame by a homography
	// built from its four corners after rotation and keystone.
	var q [4][2]float64
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*bodyW*mod, c[1]*bodyH*mod
		if tiltX {
			x *= 1 + lk.keystone*c[1]
		} else {
			y *= 1 + lk.keystone*c[0]
		}
		sin, cos := math.Sincos(lk.angle)
		q[i] = [2]float64{cx + x*cos - y*sin, cy + x*sin + y*cos}
	}
	inv := invert3(squareToQuad(q))
	var marks []image.Rectangle
	if text == "" {
		for i := 0; i < 40; i++ {
			x, y := r.Intn(int(n)), r.Intn(int(n))
			marks = append(marks, image.Rect(x, y, x+1+r.Intn(6), y+1))
		}
	}
	minX, minY, maxX, maxY := q[0][0], q[0][1], q[0][0], q[0][1]
	for _, p := range q {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
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
				// Module coordinates, the code's top-left at 0,0.
				mx, my := (u*2-1)*bodyW+n/2, (v*2-1)*bodyH+n/2
				ex, ey := math.Abs(mx-n/2), math.Abs(my-n/2)
				switch {
				case ex > scrW || ey > scrH:
					sum += 18 // the phone's body
				case mx >= 0 && my >= 0 && mx < n && my < n && onCode(m, marks, int(mx), int(my)):
					sum += dark
				default:
					sum += light
				}
			}
			if hit > 0 {
				img.Pix[y*img.Stride+x] = clamp8(sum / 4)
			}
		}
	}
}

func onCode(m interface{ Get(x, y int) bool }, marks []image.Rectangle, x, y int) bool {
	if m != nil {
		return m.Get(x, y)
	}
	for _, k := range marks {
		if image.Pt(x, y).In(k) {
			return true
		}
	}
	return false
}

// light makes the lighting uneven: a window's fall-off along a random
// direction and a lamp's vignette.
func light(r *rand.Rand, img *image.Gray) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	a := r.Float64() * 2 * math.Pi
	dx, dy := math.Cos(a), math.Sin(a)
	loss := 0.2 + r.Float64()*0.4
	lx, ly := r.Float64()*float64(w), r.Float64()*float64(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := (float64(x)*dx+float64(y)*dy)/float64(w+h) + 0.5
			d := math.Hypot(float64(x)-lx, float64(y)-ly) / float64(w)
			i := y*img.Stride + x
			img.Pix[i] = clamp8(float64(img.Pix[i]) * (1 - loss*t) * (1.15 - 0.3*d))
		}
	}
}

// colourJPEG encodes the grey scene as a 4:2:0 colour JPEG, with a soft
// colour cast that varies across the room.
func colourJPEG(r *rand.Rand, img *image.Gray, quality int) []byte {
	b := img.Bounds()
	ycc := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	copy(ycc.Y, img.Pix)
	cb0, cr0 := 118+r.Float64()*20, 118+r.Float64()*20
	for y := 0; y < (b.Dy()+1)/2; y++ {
		for x := 0; x < (b.Dx()+1)/2; x++ {
			i := y*ycc.CStride + x
			ycc.Cb[i] = clamp8(cb0 + 10*math.Sin(float64(x)/90))
			ycc.Cr[i] = clamp8(cr0 + 10*math.Cos(float64(y)/70))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, ycc, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
