package camera

import (
	"cmp"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// perspectiveReach is how far, in modules, the bottom-right alignment
// pattern is looked for around each guess of where it is (a flat code's
// corner, and keystoneCorner's). On the generated tilted codes the flat
// guess was 3.5 to 5 modules off, and up to 9 on codes keystoned by a
// sixth or more.
const perspectiveReach = 8

// perspectiveTries is how many of the best-scored corners are sampled
// and decoded, for each size tried.
const perspectiveTries = 3

// perspectiveTriples is how many sets of three finder-like patterns are
// tried, the most like a right isosceles triangle first.
const perspectiveTriples = 4

// readPerspective reads a code seen at a slant. gozxing finds finder
// patterns, takes the three most like a right isosceles triangle,
// guesses the bottom-right corner as if the code were a parallelogram,
// and looks for the alignment pattern there; on a tilted phone the
// triangle is skewed (clutter may make a straighter one) and the guess is
// several modules off, and the search locks onto other dark blobs. Here
// a few triangles are tried (see finderTriples), of gozxing's candidates
// and the pre-check's spots (see withSpots), and for each the corner
// at every whole-module offset around the guess, each try scored by how
// well the sampling it gives shows the code's alignment patterns (a
// version 7 and up code has six or more, spread over the symbol: a wrong
// corner puts most of them astray); the best are refined by half a
// module and only they are sampled and decoded, with one transform and
// then tile by tile between the alignment patterns (see tiledGrid): the
// code's error correction is the judge.
func (d *Decoder) readPerspective(y []byte, w, h int) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bits, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return nil
	}
	ff := detector.NewFinderPatternFinder(bits, d.centre)
	if !d.bounded(func() { ff.Find(nil) }) { // the candidates are what is wanted; its own pick is one of the triples
		return nil
	}
	for _, t := range finderTriples(d.withSpots(bits, ff.GetPossibleCenters()), perspectiveTriples) {
		bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(t[0], t[1], t[2])
		if res := d.readTilted(bits, tl.(*detector.FinderPattern), tr.(*detector.FinderPattern), bl.(*detector.FinderPattern)); res != nil {
			return res
		}
	}
	return nil
}

// withSpots adds to gozxing's finder candidates cs the pre-check's spots
// (see cut) it did not find, each centred on bits: the pre-check's local
// threshold sees the finder patterns of faint, blurred codes that
// gozxing's binarized rows break.
func (d *Decoder) withSpots(bits *gozxing.BitMatrix, cs []*detector.FinderPattern) []*detector.FinderPattern {
	for i, c := range cs {
		if x, y, ok := centreOn(bits, c.GetX(), c.GetY(), c.GetEstimatedModuleSize()); ok {
			cs[i] = detector.NewFinderPattern(x, y, c.GetEstimatedModuleSize(), c.GetCount())
		}
	}
	for _, f := range d.spots {
		x, y, ok := centreOn(bits, f.x, f.y, f.module)
		if !ok || slices.ContainsFunc(cs, func(c *detector.FinderPattern) bool {
			return math.Abs(c.GetX()-x) < 2*f.module && math.Abs(c.GetY()-y) < 2*f.module
		}) {
			continue
		}
		cs = append(cs, detector.NewFinderPattern(x, y, f.module, f.hits))
	}
	return cs
}

// centreOn returns the centroid of the dark centre of the finder pattern
// (module m) around (x, y) on bits: the 3x3-module blob a light ring
// parts from the rest, whose centroid lies nearer the pattern's true
// centre than the middle of a row's run on a tilted, blurred code. False
// where there is no dark pixel within a module, or the blob is not of a
// centre's size (the ring broken by blur).
func centreOn(bits *gozxing.BitMatrix, x, y, m float64) (float64, float64, bool) {
	w, h := bits.GetWidth(), bits.GetHeight()
	sx, sy, ok := -1, -1, false
	r := int(m + 0.5)
	for dy := 0; dy <= r && !ok; dy++ {
		for _, py := range []int{int(y) - dy, int(y) + dy} {
			for dx := -r; dx <= r && !ok; dx++ {
				px := int(x) + dx
				if px >= 0 && py >= 0 && px < w && py < h && bits.Get(px, py) {
					sx, sy, ok = px, py, true
				}
			}
		}
	}
	if !ok {
		return 0, 0, false
	}
	maxArea := int(25 * m * m)
	seen := map[[2]int]bool{{sx, sy}: true}
	queue := [][2]int{{sx, sy}}
	var sumX, sumY float64
	for k := 0; k < len(queue); k++ {
		p := queue[k]
		sumX, sumY = sumX+float64(p[0]), sumY+float64(p[1])
		if len(queue) > maxArea {
			return 0, 0, false
		}
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			q := [2]int{p[0] + d[0], p[1] + d[1]}
			if q[0] >= 0 && q[1] >= 0 && q[0] < w && q[1] < h && !seen[q] && bits.Get(q[0], q[1]) {
				seen[q] = true
				queue = append(queue, q)
			}
		}
	}
	if n := float64(len(queue)); n < 2*m*m {
		return 0, 0, false
	}
	n := float64(len(queue))
	return sumX/n + 0.5, sumY/n + 0.5, true
}

// readTilted samples and decodes the code whose finder patterns are tl,
// tr and bl, trying sizes and bottom-right corners (see readPerspective).
func (d *Decoder) readTilted(bits *gozxing.BitMatrix, tl, tr, bl *detector.FinderPattern) *gozxing.Result {
	module := (tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 3
	if module < 1 {
		return nil
	}
	// The size in modules, each side measured with its own two patterns'
	// module size (they differ on a slant), rounded to a QR size (4k+17).
	side := func(a, b *detector.FinderPattern) float64 {
		ma, mb := ringModule(bits, a, b), ringModule(bits, b, a)
		if ma == 0 || mb == 0 {
			ma, mb = a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize()
		}
		return gozxing.ResultPoint_Distance(a, b) / ((ma + mb) / 2)
	}
	est := (side(tl, tr)+side(tl, bl))/2 + 7
	brGuesses := [][2]float64{{tr.GetX() - tl.GetX() + bl.GetX(), tr.GetY() - tl.GetY() + bl.GetY()}}
	if br, ok := keystoneCorner(bits, tl, tr, bl); ok {
		brGuesses = append(brGuesses, br)
	}
	base := 4*int(math.Round((est-17)/4)) + 17
	for _, dim := range []int{base, base + 4, base - 4} {
		version, err := decoder.Version_GetProvisionalVersionForDimension(dim)
		if err != nil || len(version.GetAlignmentPatternCenters()) == 0 {
			continue
		}
		k := 1 - 3/float64(dim-7)
		g := cornerSearch{bits: bits, tl: tl, tr: tr, bl: bl, dim: dim}
		g.alignmentPoints(version.GetAlignmentPatternCenters())
		var cs []corner
		for _, br := range brGuesses {
			cs = append(cs, g.best(tl.GetX()+k*(br[0]-tl.GetX()), tl.GetY()+k*(br[1]-tl.GetY()), module)...)
		}
		slices.SortStableFunc(cs, func(a, b corner) int { return b.score - a.score })
		for _, c := range cs[:min(len(cs), perspectiveTries)] {
			t := g.transform(c)
			if grid, err := detector.Detector_sampleGrid(bits, t, dim); err == nil {
				if dr, err := d.qr.GetDecoder().Decode(grid, nil); err == nil {
					return gozxing.NewResult(dr.GetText(), nil, nil, gozxing.BarcodeFormat_QR_CODE)
				}
			}
			if grid := tiledGrid(bits, t, dim, version.GetAlignmentPatternCenters()); grid != nil {
				if dr, err := d.qr.GetDecoder().Decode(grid, nil); err == nil {
					return gozxing.NewResult(dr.GetText(), nil, nil, gozxing.BarcodeFormat_QR_CODE)
				}
			}
		}
	}
	return nil
}

// keystoneCorner guesses the bottom-right corner of a keystoned code
// from its finder patterns: the right side is longer than the left by as
// much as the modules at tr are taller than at tl (down the code), and
// the bottom longer than the top by as much as the modules at bl are
// wider; the two corners this gives, averaged. False where a ring
// cannot be measured.
func keystoneCorner(bits *gozxing.BitMatrix, tl, tr, bl gozxing.ResultPoint) ([2]float64, bool) {
	ax, ay := tr.GetX()-tl.GetX(), tr.GetY()-tl.GetY() // across
	dx, dy := bl.GetX()-tl.GetX(), bl.GetY()-tl.GetY() // down
	ratio := func(p gozxing.ResultPoint, ux, uy float64, q gozxing.ResultPoint) (float64, bool) {
		a := ringModule(bits, p, gozxing.NewResultPoint(p.GetX()+ux, p.GetY()+uy))
		b := ringModule(bits, tl, q)
		if a == 0 || b == 0 {
			return 0, false
		}
		return min(1.7, max(0.6, a/b)), true
	}
	rv, ok1 := ratio(tr, dx, dy, bl)
	rh, ok2 := ratio(bl, ax, ay, tr)
	if !ok1 || !ok2 {
		return [2]float64{}, false
	}
	x1, y1 := tr.GetX()+rv*dx, tr.GetY()+rv*dy
	x2, y2 := bl.GetX()+rh*ax, bl.GetY()+rh*ay
	return [2]float64{(x1 + x2) / 2, (y1 + y2) / 2}, true
}

// ringModule is the module size of finder pattern a measured on bits
// along the line to b, as zxing does it: the centre, the light ring and
// the dark ring make 7 modules across, edge to edge. A blurred code's
// dark runs grow and its light ones shrink alike, so this measure moves
// less with blur than the runs' total; 0 where the line leaves bits.
func ringModule(bits *gozxing.BitMatrix, a, b gozxing.ResultPoint) float64 {
	dx, dy := b.GetX()-a.GetX(), b.GetY()-a.GetY()
	l := math.Hypot(dx, dy)
	if l < 1 {
		return 0
	}
	dx, dy = dx/l, dy/l
	w, h := bits.GetWidth(), bits.GetHeight()
	edge := func(sx, sy float64) float64 {
		state := 0 // 0 the dark centre, 1 the light ring, 2 the dark ring
		for k := 0; k < int(l/2); k++ {
			x, y := int(a.GetX()+sx*float64(k)), int(a.GetY()+sy*float64(k))
			if x < 0 || y < 0 || x >= w || y >= h {
				return 0
			}
			if bits.Get(x, y) == (state%2 == 1) {
				if state++; state == 3 {
					return float64(k)
				}
			}
		}
		return 0
	}
	u, v := edge(dx, dy), edge(-dx, -dy)
	if u == 0 || v == 0 {
		return 0
	}
	return (u + v) / 7
}

// finderTriples returns up to n sets of three of the candidates that
// could be a code's finder patterns: module sizes within a factor of 2
// of each other (a keystone of a quarter makes them differ by 1.7, and
// blur moves the estimates further), sides 14 to 120
// modules, the most like a right isosceles triangle first (by
// |c²-2a²|+|c²-2b²| over c², a ≤ b ≤ c the sides), and none past a
// distortion that no code tilted by 35° and a keystone of a quarter
// reaches.
func finderTriples(cs []*detector.FinderPattern, n int) [][3]*detector.FinderPattern {
	type triple struct {
		t [3]*detector.FinderPattern
		d float64
	}
	cs = cs[:min(len(cs), 16)]
	var all []triple
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				p := [3]*detector.FinderPattern{cs[i], cs[j], cs[k]}
				mn := min(p[0].GetEstimatedModuleSize(), p[1].GetEstimatedModuleSize(), p[2].GetEstimatedModuleSize())
				mx := max(p[0].GetEstimatedModuleSize(), p[1].GetEstimatedModuleSize(), p[2].GetEstimatedModuleSize())
				if mx > 2*mn {
					continue
				}
				s := []float64{sq(p[0], p[1]), sq(p[1], p[2]), sq(p[0], p[2])}
				slices.Sort(s)
				m := (mn + mx) / 2
				if s[0] < 14*14*m*m || s[2] > 2*120*120*m*m {
					continue
				}
				if d := (math.Abs(s[2]-2*s[0]) + math.Abs(s[2]-2*s[1])) / s[2]; d < maxTriangleDistortion {
					all = append(all, triple{p, d})
				}
			}
		}
	}
	slices.SortStableFunc(all, func(a, b triple) int { return cmp.Compare(a.d, b.d) })
	out := make([][3]*detector.FinderPattern, 0, n)
	for _, t := range all[:min(n, len(all))] {
		out = append(out, t.t)
	}
	return out
}

// maxTriangleDistortion bounds finderTriples' measure of how far three
// points are from a right isosceles triangle.
const maxTriangleDistortion = 0.8

// sq is the squared distance between a and b.
func sq(a, b *detector.FinderPattern) float64 {
	dx, dy := a.GetX()-b.GetX(), a.GetY()-b.GetY()
	return dx*dx + dy*dy
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
