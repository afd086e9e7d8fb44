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
// pattern is looked for around where a flat code would have it. On the
// generated tilted codes it was 3.5 to 5 modules away.
const perspectiveReach = 6

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
// a few triangles are tried (see finderTriples), and for each the corner
// at every whole-module offset around the guess, each try scored by how
// well the sampling it gives shows the code's alignment patterns (a
// version 7 and up code has six or more, spread over the symbol: a wrong
// corner puts most of them astray); the best are refined by half a
// module and only they are sampled and decoded: the code's error
// correction is the judge.
func (d *Decoder) readPerspective(y []byte, w, h int) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bits, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return nil
	}
	ff := detector.NewFinderPatternFinder(bits, nil)
	ff.Find(nil) // the candidates are what is wanted; its own pick is one of the triples
	for _, t := range finderTriples(ff.GetPossibleCenters(), perspectiveTriples) {
		bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(t[0], t[1], t[2])
		if res := d.readTilted(bits, tl.(*detector.FinderPattern), tr.(*detector.FinderPattern), bl.(*detector.FinderPattern)); res != nil {
			return res
		}
	}
	return nil
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
		return gozxing.ResultPoint_Distance(a, b) / ((a.GetEstimatedModuleSize() + b.GetEstimatedModuleSize()) / 2)
	}
	est := (side(tl, tr)+side(tl, bl))/2 + 7
	base := 4*int(math.Round((est-17)/4)) + 17
	for _, dim := range []int{base, base + 4, base - 4} {
		version, err := decoder.Version_GetProvisionalVersionForDimension(dim)
		if err != nil || len(version.GetAlignmentPatternCenters()) == 0 {
			continue
		}
		brX := tr.GetX() - tl.GetX() + bl.GetX()
		brY := tr.GetY() - tl.GetY() + bl.GetY()
		k := 1 - 3/float64(dim-7)
		cx, cy := tl.GetX()+k*(brX-tl.GetX()), tl.GetY()+k*(brY-tl.GetY())
		g := cornerSearch{bits: bits, tl: tl, tr: tr, bl: bl, dim: dim}
		g.alignmentPoints(version.GetAlignmentPatternCenters())
		for _, c := range g.best(cx, cy, module) {
			grid, err := detector.Detector_sampleGrid(bits, g.transform(c), dim)
			if err != nil {
				continue
			}
			if dr, err := d.qr.GetDecoder().Decode(grid, nil); err == nil {
				return gozxing.NewResult(dr.GetText(), nil, nil, gozxing.BarcodeFormat_QR_CODE)
			}
		}
	}
	return nil
}

// finderTriples returns up to n sets of three of the candidates that
// could be a code's finder patterns: module sizes within 1.4 of each
// other (a keystone of a quarter makes them differ), sides 14 to 120
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
				if mx > 1.4*mn {
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
