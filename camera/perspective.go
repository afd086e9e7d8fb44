package camera

import (
	"math"

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

// readPerspective reads a code seen at a slant. gozxing finds the three
// finder patterns, guesses the bottom-right corner as if the code were a
// parallelogram, and looks for the alignment pattern there; on a tilted
// phone the guess is several modules off and the search locks onto other
// dark blobs. Here the corner is instead tried at every whole-module
// offset around the guess, and each try is scored by how well the
// sampling it gives shows the code's alignment patterns (a versions 7 and
// up code has six or more, spread over the symbol: a wrong corner puts
// most of them astray); the best are refined by half a module and only
// they are sampled and decoded: the code's error correction is the judge.
func (d *Decoder) readPerspective(y []byte, w, h int) *gozxing.Result {
	src, err := gozxing.NewPlanarYUVLuminanceSource(y, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bits, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return nil
	}
	info, nf := detector.NewFinderPatternFinder(bits, nil).Find(nil)
	if nf != nil {
		return nil
	}
	tl, tr, bl := info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()
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

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
