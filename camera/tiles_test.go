package camera

import (
	"math"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// keystoned draws the modules m (n x n) onto a w x w bit matrix with
// their square's corners at q (top-left, top-right, bottom-right,
// bottom-left), and returns it with the transform from module
// coordinates to its pixels.
func keystoned(m *gozxing.BitMatrix, q [4][2]float64, w int) (*gozxing.BitMatrix, *common.PerspectiveTransform) {
	n := float64(m.GetWidth())
	bits, _ := gozxing.NewSquareBitMatrix(w)
	inv := invert3(squareToQuad(q))
	for y := 0; y < w; y++ {
		for x := 0; x < w; x++ {
			u, v := apply(inv, float64(x)+0.5, float64(y)+0.5)
			if u >= 0 && v >= 0 && u < 1 && v < 1 && m.Get(int(u*n), int(v*n)) {
				bits.Set(x, y)
			}
		}
	}
	return bits, quadTransform(n, q)
}

func quadTransform(n float64, q [4][2]float64) *common.PerspectiveTransform {
	return common.PerspectiveTransform_QuadrilateralToQuadrilateral(0, 0, n, 0, n, n, 0, n,
		q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1])
}

// differing counts the modules in which a and b differ.
func differing(a, b *gozxing.BitMatrix) int {
	d := 0
	for y := 0; y < a.GetHeight(); y++ {
		for x := 0; x < a.GetWidth(); x++ {
			if a.Get(x, y) != b.Get(x, y) {
				d++
			}
		}
	}
	return d
}

// TestTiledGridFollowsTheAlignmentPatterns samples a code keystoned by
// a fifth through a transform from its finder patterns and a
// bottom-right alignment pattern two modules astray: one transform gets a part of the modules wrong, the tiles
// between the alignment patterns found near it get them all right.
func TestTiledGridFollowsTheAlignmentPatterns(t *testing.T) {
	text := pd1Text(rand.New(rand.NewSource(15)))
	m := qrModules(text)
	n := m.GetWidth()
	q := [4][2]float64{{60, 80}, {360, 50}, {380, 420}, {70, 350}}
	bits, right := keystoned(m, q, 460)
	at := func(mx, my float64) *detector.FinderPattern {
		p := []float64{mx, my}
		right.TransformPoints(p)
		return detector.NewFinderPattern1(p[0], p[1], 1)
	}
	d := float64(n) - 3.5
	br := at(d-3, d-3)
	module := 300 / float64(n)
	wrong := detector.Detector_createTransform(at(3.5, 3.5), at(d, 3.5), at(3.5, d),
		detector.NewAlignmentPattern(br.GetX()+2*module, br.GetY()-2*module, 1), n)

	one, err := detector.Detector_sampleGrid(bits, wrong, n)
	if err != nil {
		t.Fatal(err)
	}
	if d := differing(one, m); d < 10*n {
		t.Fatalf("one transform gets %d modules wrong: the test's corner is too near", d)
	}
	version, err := decoder.Version_GetProvisionalVersionForDimension(n)
	if err != nil {
		t.Fatal(err)
	}
	grid := tiledGrid(bits, wrong, n, version.GetAlignmentPatternCenters())
	if grid == nil {
		t.Fatal("no grid: the alignment patterns were not found")
	}
	if d := differing(grid, m); d > n/2 {
		t.Errorf("tiles get %d modules wrong, want %d at most", d, n/2)
	}
	if _, err := decoder.NewDecoder().Decode(grid, nil); err != nil {
		t.Errorf("the tiled grid does not decode: %v", err)
	}
}

// TestRingModule measures a finder pattern's module along the line to
// another, edge to edge of its rings, on a keystoned code: the module
// there, not the code's mean.
func TestRingModule(t *testing.T) {
	m := qrModules(pd1Text(rand.New(rand.NewSource(16))))
	n := float64(m.GetWidth())
	q := [4][2]float64{{50, 50}, {450, 50}, {500, 500}, {0, 500}} // wider at the bottom
	bits, tr := keystoned(m, q, 520)
	centre := func(mx, my float64) gozxing.ResultPoint {
		p := []float64{mx, my}
		tr.TransformPoints(p)
		return gozxing.NewResultPoint(p[0], p[1])
	}
	tl, trc, bl := centre(3.5, 3.5), centre(n-3.5, 3.5), centre(3.5, n-3.5)
	for _, c := range []struct {
		name string
		a, b gozxing.ResultPoint
		want float64
	}{
		{"top left, across", tl, trc, 400 / n},
		{"bottom left, across", bl, centre(n-3.5, n-3.5), 500 / n},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ringModule(bits, c.a, c.b); math.Abs(got-c.want) > 0.15*c.want {
				t.Errorf("module %.2f, want %.2f", got, c.want)
			}
		})
	}
}

// TestKeystoneCorner guesses the bottom-right corner of codes keystoned
// across and down nearer than a flat code's corner is.
func TestKeystoneCorner(t *testing.T) {
	m := qrModules(pd1Text(rand.New(rand.NewSource(17))))
	n := float64(m.GetWidth())
	for name, q := range map[string][4][2]float64{
		"wider at the bottom": {{100, 60}, {380, 60}, {440, 420}, {40, 420}},
		"taller at the right": {{60, 100}, {420, 40}, {420, 440}, {60, 380}},
	} {
		t.Run(name, func(t *testing.T) {
			bits, tr := keystoned(m, q, 480)
			at := func(mx, my float64) gozxing.ResultPoint {
				p := []float64{mx, my}
				tr.TransformPoints(p)
				return gozxing.NewResultPoint(p[0], p[1])
			}
			tl, trc, bl, br := at(3.5, 3.5), at(n-3.5, 3.5), at(3.5, n-3.5), at(n-3.5, n-3.5)
			got, ok := keystoneCorner(bits, tl, trc, bl)
			if !ok {
				t.Fatal("no guess")
			}
			flat := math.Hypot(trc.GetX()-tl.GetX()+bl.GetX()-br.GetX(), trc.GetY()-tl.GetY()+bl.GetY()-br.GetY())
			d := math.Hypot(got[0]-br.GetX(), got[1]-br.GetY())
			t.Logf("guess %.1f pixels off, the flat corner %.1f", d, flat)
			if d > flat/2 {
				t.Errorf("guess %.1f pixels off, the flat corner %.1f", d, flat)
			}
		})
	}
}
