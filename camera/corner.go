package camera

import (
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// cornerSearch scores guesses of a tilted code's bottom-right alignment
// pattern (see readPerspective) by the modules of the code's alignment
// patterns that the sampling a guess gives gets right.
type cornerSearch struct {
	bits       *gozxing.BitMatrix
	tl, tr, bl gozxing.ResultPoint
	dim        int
	module     []float64 // the module centres to sample, x then y, in module units
	want       []bool    // whether each is dark
	pts        []float64 // scratch: module centres mapped into the image
}

// corner is one guess and its score.
type corner struct {
	x, y  float64
	score int
}

// alignmentPoints lists the 5x5 modules of every alignment pattern but
// the three that would sit on a finder pattern: dark, but for the ring
// around the centre.
func (g *cornerSearch) alignmentPoints(centres []int) {
	last := centres[len(centres)-1]
	for _, ax := range centres {
		for _, ay := range centres {
			if ax == centres[0] && (ay == centres[0] || ay == last) || ay == centres[0] && ax == last {
				continue
			}
			for j := -2; j <= 2; j++ {
				for i := -2; i <= 2; i++ {
					g.module = append(g.module, float64(ax+i)+0.5, float64(ay+j)+0.5)
					g.want = append(g.want, max(abs(i), abs(j)) != 1)
				}
			}
		}
	}
	g.pts = make([]float64, len(g.module))
}

// transform maps module coordinates to the image for the guess c.
func (g *cornerSearch) transform(c corner) *common.PerspectiveTransform {
	return detector.Detector_createTransform(g.tl, g.tr, g.bl, detector.NewAlignmentPattern(c.x, c.y, 1), g.dim)
}

// score counts the alignment modules the guess c samples right.
func (g *cornerSearch) score(c corner) int {
	copy(g.pts, g.module)
	g.transform(c).TransformPoints(g.pts)
	w, h := g.bits.GetWidth(), g.bits.GetHeight()
	n := 0
	for i, want := range g.want {
		x, y := int(g.pts[2*i]), int(g.pts[2*i+1])
		if x >= 0 && y >= 0 && x < w && y < h && g.bits.Get(x, y) == want {
			n++
		}
	}
	return n
}

// best returns the guesses worth decoding, best first: every whole-module
// offset from (cx, cy) within perspectiveReach scored, the best few moved
// by half a module where that scores higher.
func (g *cornerSearch) best(cx, cy, module float64) []corner {
	var all []corner
	for dy := -perspectiveReach; dy <= perspectiveReach; dy++ {
		for dx := -perspectiveReach; dx <= perspectiveReach; dx++ {
			c := corner{x: cx + float64(dx)*module, y: cy + float64(dy)*module}
			c.score = g.score(c)
			all = append(all, c)
		}
	}
	// Best score first; among equals, nearest the flat guess first.
	slices.SortStableFunc(all, func(a, b corner) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return cmpDist(a, b, cx, cy)
	})
	out := all[:min(perspectiveTries, len(all))]
	for i, c := range out {
		for _, d := range [][2]float64{{-0.5, 0}, {0.5, 0}, {0, -0.5}, {0, 0.5}, {-0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}, {0.5, -0.5}} {
			n := corner{x: c.x + d[0]*module, y: c.y + d[1]*module}
			if n.score = g.score(n); n.score > out[i].score {
				out[i] = n
			}
		}
	}
	return out
}

// cmpDist orders a and b by their distance from (cx, cy).
func cmpDist(a, b corner, cx, cy float64) int {
	da := (a.x-cx)*(a.x-cx) + (a.y-cy)*(a.y-cy)
	db := (b.x-cx)*(b.x-cx) + (b.y-cy)*(b.y-cy)
	switch {
	case da < db:
		return -1
	case da > db:
		return 1
	}
	return 0
}
