package camera

import (
	"math/rand"
	"testing"
)

// TestThresholds checks the pre-check's block thresholds against the
// plain reckoning: each block's threshold the mean of the samples (every
// other pixel of every fourth row) of the 5x5 blocks around it, or -1
// where their grey spreads less than finderMinContrast; on widths and
// heights that are no multiple of a block.
func TestThresholds(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, size := range [][2]int{{1280, 720}, {333, 77}, {40, 41}} {
		w, h := size[0], size[1]
		y := make([]byte, w*h)
		for i := range y {
			y[i] = uint8(100 + r.Intn(40))
			if (i%w)/50%2 == 0 {
				y[i] = uint8(r.Intn(20)) // flat bands: no contrast there
			}
		}
		var fs finderScan
		fs.thresholds(y, w, h)
		bw, bh := (w+finderBlock-1)/finderBlock, (h+finderBlock-1)/finderBlock
		for by := 0; by < bh; by++ {
			for bx := 0; bx < bw; bx++ {
				var sum int32
				lo, hi := int32(255), int32(0)
				for yy := 1; yy < h; yy += 4 {
					if yy/finderBlock < by-2 || yy/finderBlock > by+2 {
						continue
					}
					for x := 0; x+finderBlock <= w; x += finderBlock {
						if x/finderBlock < bx-2 || x/finderBlock > bx+2 {
							continue
						}
						for k := 0; k < finderBlock; k += 2 {
							v := int32(y[yy*w+x+k])
							sum, lo, hi = sum+v, min(lo, v), max(hi, v)
						}
					}
				}
				rows := int32(min(bh-1, by+2) - max(0, by-2) + 1)
				cols := int32(min(bw-1, bx+2) - max(0, bx-2) + 1)
				want := sum / max(1, rows*cols*8)
				if hi-lo < finderMinContrast {
					want = -1
				}
				if got := fs.thr[by*bw+bx]; got != want {
					t.Fatalf("%dx%d: block %d,%d threshold %d, want %d", w, h, bx, by, got, want)
				}
			}
		}
	}
}

// TestEdgeRuns checks the rescan's test of five runs: a finder pattern's
// runs, however far blur has moved the edges between dark and light,
// pass it where the pre-check's own test fails them; even stripes and
// runs of other ratios fail both.
func TestEdgeRuns(t *testing.T) {
	for _, m := range []int{3, 6, 12} {
		for shift := 0; shift < m/2; shift++ {
			// Dark runs wider by 2*shift, light ones narrower by as much.
			r := [5]int{m + 2*shift, m - 2*shift, 3*m + 2*shift, m - 2*shift, m + 2*shift}
			if !edgeRuns(r[0], r[1], r[2], r[3], r[4]) {
				t.Errorf("module %d, edges moved %d: %v fails edgeRuns", m, shift, r)
			}
			if want := 4*shift < m; finderRatio(r) != want {
				t.Errorf("module %d, edges moved %d: %v finderRatio %v, want %v", m, shift, r, !want, want)
			}
		}
	}
	for _, r := range [][5]int{
		{6, 6, 6, 6, 6},       // stripes
		{6, 6, 40, 6, 6},      // a wide bar
		{12, 6, 18, 6, 12},    // outer rings twice as wide
		{6, 6, 18, 6, 0},      // a run missing
		{2, 2, 3, 2, 2},       // too small to be a pattern
		{50, 50, 150, 50, 50}, // too large
	} {
		if edgeRuns(r[0], r[1], r[2], r[3], r[4]) {
			t.Errorf("%v passes edgeRuns", r)
		}
	}
}

// TestFinderMissIsFinderRuns: the scan's branch-free tests say what
// finderRuns and evenRuns say, for every five runs of 1 to 24 pixels
// (finder patterns of modules up to 3.4 pixels and the runs of noise),
// and for a million random ones up to 300 (past the largest either
// takes).
func TestFinderMissIsFinderRuns(t *testing.T) {
	check := func(r [5]int) {
		tot := r[0] + r[1] + r[2] + r[3] + r[4]
		if got, want := finderMiss(r[0], r[1], r[2], r[3], r[4], tot) >= 0, finderRuns(r[0], r[1], r[2], r[3], r[4]); got != want {
			t.Fatalf("runs %v: finderMiss says %v, finderRuns %v", r, got, want)
		}
		if got, want := evenMiss(r[0], r[1], r[2], r[3], r[4], tot) >= 0, evenRuns(r); got != want {
			t.Fatalf("runs %v: evenMiss says %v, evenRuns %v", r, got, want)
		}
	}
	const n = 24
	for a := 1; a <= n; a++ {
		for b := 1; b <= n; b++ {
			for c := 1; c <= n; c++ {
				for d := 1; d <= n; d++ {
					for e := 1; e <= n; e++ {
						check([5]int{a, b, c, d, e})
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 1000000 {
		var r [5]int
		scale := 1 + rng.Intn(60)
		for i := range r {
			r[i] = 1 + rng.Intn(5*scale)
		}
		check(r)
	}
}
