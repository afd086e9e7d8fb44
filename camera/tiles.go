package camera

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
)

// Tiled sampling, the way zxing-cpp samples a code of version 7 and up:
// one perspective transform for the whole symbol, anchored at the finder
// patterns and one corner, is off by a module or more in the middle of a
// keystoned, blurred code; its alignment patterns, spread over the
// symbol, say where the grid really is. Each is looked for near where
// its neighbours put it, and each tile between four of them is sampled
// with a transform of its own.

// alignMinScore is the fewest of an alignment pattern's 25 modules that a
// found one must show right; blur eats into its one-module light ring.
const alignMinScore = 22

// alignReach is how far, in modules, an alignment pattern is looked for
// around its guessed place, in thirds of a module.
const alignReach = 2

// tiledGrid samples the dim x dim code whose module coordinates t maps
// into bits, tile by tile between its alignment patterns (centres, in
// modules, as the version lists them); nil when fewer than half of the
// patterns away from the finders are found, where the grid t gives is as
// good a guess.
func tiledGrid(bits *gozxing.BitMatrix, t *common.PerspectiveTransform, dim int, centres []int) *gozxing.BitMatrix {
	n := len(centres)
	if n < 2 {
		return nil
	}
	ap := make([][2]float64, n*n) // where each is (found, or guessed)
	at := make([][2]float64, n*n) // where t puts each
	mp := make([][2]float64, n*n) // each one's module coordinates
	project := func(mx, my float64) [2]float64 {
		p := []float64{mx, my}
		t.TransformPoints(p)
		return [2]float64{p[0], p[1]}
	}
	found, tried := 0, 0
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			c := [2]float64{float64(centres[i]) + 0.5, float64(centres[j]) + 0.5}
			if onFinder(i, j, n) {
				// The finder pattern's centre, where t is anchored.
				c = [2]float64{finderAt(i, n, dim), finderAt(j, n, dim)}
			}
			mp[j*n+i], at[j*n+i] = c, project(c[0], c[1])
			// Where t puts it, moved as t was wrong at the neighbours
			// before it (left and above) on average.
			guess, k := at[j*n+i], 0.0
			var dx, dy float64
			for _, nb := range [][2]int{{i - 1, j}, {i, j - 1}} {
				if nb[0] >= 0 && nb[1] >= 0 {
					q := nb[1]*n + nb[0]
					dx, dy, k = dx+ap[q][0]-at[q][0], dy+ap[q][1]-at[q][1], k+1
				}
			}
			if k > 0 {
				guess = [2]float64{guess[0] + dx/k, guess[1] + dy/k}
			}
			ap[j*n+i] = guess
			if onFinder(i, j, n) {
				continue
			}
			tried++
			// The module steps across and down at the guess, from t.
			o, ux, uy := project(c[0], c[1]), project(c[0]+1, c[1]), project(c[0], c[1]+1)
			u := [2][2]float64{{ux[0] - o[0], ux[1] - o[1]}, {uy[0] - o[0], uy[1] - o[1]}}
			if p, ok := locateAlignment(bits, guess, u); ok {
				ap[j*n+i] = p
				found++
			}
		}
	}
	if 2*found < tried {
		return nil
	}
	grid, err := gozxing.NewSquareBitMatrix(dim)
	if err != nil {
		return nil
	}
	w, h := bits.GetWidth(), bits.GetHeight()
	tiles := make([]*common.PerspectiveTransform, (n-1)*(n-1))
	for j := 0; j < n-1; j++ {
		for i := 0; i < n-1; i++ {
			k := [4]int{j*n + i, j*n + i + 1, (j+1)*n + i + 1, (j+1)*n + i}
			a, b, c, d := ap[k[0]], ap[k[1]], ap[k[2]], ap[k[3]]
			ma, mb, mc, md := mp[k[0]], mp[k[1]], mp[k[2]], mp[k[3]]
			tiles[j*(n-1)+i] = common.PerspectiveTransform_QuadrilateralToQuadrilateral(
				ma[0], ma[1], mb[0], mb[1], mc[0], mc[1], md[0], md[1], a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1])
		}
	}
	p := make([]float64, 2)
	for my := 0; my < dim; my++ {
		tj := tileOf(my, centres)
		for mx := 0; mx < dim; mx++ {
			p[0], p[1] = float64(mx)+0.5, float64(my)+0.5
			tiles[tj*(n-1)+tileOf(mx, centres)].TransformPoints(p)
			x, y := int(p[0]), int(p[1])
			if x < 0 || y < 0 || x >= w || y >= h {
				return nil
			}
			if bits.Get(x, y) {
				grid.Set(mx, my)
			}
		}
	}
	return grid
}

// onFinder reports whether alignment place (i, j) of n x n is one of the
// three a finder pattern covers.
func onFinder(i, j, n int) bool {
	return i == 0 && (j == 0 || j == n-1) || j == 0 && i == n-1
}

// finderAt is the module coordinate, along one axis, of the centre of a
// finder pattern at alignment place k of n in a dim-module code.
func finderAt(k, n, dim int) float64 {
	if k == 0 {
		return 3.5
	}
	return float64(dim) - 3.5
}

// tileOf is the tile a module coordinate m falls in along one axis: the
// one between centres k and k+1, the first and last stretched to the
// symbol's edges.
func tileOf(m int, centres []int) int {
	k := 0
	for k < len(centres)-2 && m >= centres[k+1] {
		k++
	}
	return k
}

// locateAlignment looks for an alignment pattern within alignReach
// modules of guess, u being a module's step across and down there: the
// place in thirds of a module whose 5x5 modules show the pattern best
// (dark, a light ring, a dark centre), nearest the guess among equals.
func locateAlignment(bits *gozxing.BitMatrix, guess [2]float64, u [2][2]float64) ([2]float64, bool) {
	w, h := bits.GetWidth(), bits.GetHeight()
	best, bestScore, bestDist := guess, -1, 0
	for b := -3 * alignReach; b <= 3*alignReach; b++ {
		for a := -3 * alignReach; a <= 3*alignReach; a++ {
			fa, fb := float64(a)/3, float64(b)/3
			cx, cy := guess[0]+fa*u[0][0]+fb*u[1][0], guess[1]+fa*u[0][1]+fb*u[1][1]
			score := 0
			for j := -2; j <= 2; j++ {
				for i := -2; i <= 2; i++ {
					x := int(cx + float64(i)*u[0][0] + float64(j)*u[1][0])
					y := int(cy + float64(i)*u[0][1] + float64(j)*u[1][1])
					if x >= 0 && y >= 0 && x < w && y < h && bits.Get(x, y) == (max(abs(i), abs(j)) != 1) {
						score++
					}
				}
			}
			if dist := a*a + b*b; score > bestScore || score == bestScore && dist < bestDist {
				best, bestScore, bestDist = [2]float64{cx, cy}, score, dist
			}
		}
	}
	return best, bestScore >= alignMinScore
}
