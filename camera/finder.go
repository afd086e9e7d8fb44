package camera

import (
	"encoding/binary"
	"image"
	"math"
	"math/bits"
)

// The finder pre-check: before gozxing spends milliseconds on a frame, a
// cheap pass looks for the three squares in the corners of every QR code
// (dark, light, dark centre three modules wide, light, dark: 1:1:3:1:1
// along any line through the centre, whatever the angle). A frame where
// fewer than two are seen holds no code this decoder could read, and is
// decided at once; the webcam sees mostly those. Where they are seen they
// also say where the code is and whether it is light on dark.

// finderBlock is the side of the blocks the local threshold is made of.
const finderBlock = 8

// finderMinContrast is the smallest spread of grey in a neighbourhood of
// blocks for its pixels to count as dark or light: flat, noisy areas make
// runs of every length.
const finderMinContrast = 18

// finderRowStep is the rows between two scanned rows: a finder's centre
// of 3 modules of 3 pixels, the smallest read, is crossed by three.
const finderRowStep = 3

// finder is one finder-pattern-like spot: its centre, its module size in
// pixels, whether it is light on dark, and how many scan lines saw it.
type finder struct {
	x, y, module float64
	inverted     bool
	hits         int
}

// finderScan holds the pre-check's buffers between frames, and what the
// last scan saw: finder-like spots, and how many Aztec-bullseye-like ones
// (rings of equal width, seen across, down and diagonally).
type finderScan struct {
	sums, thr []int32
	tmp       []int32
	found     []finder
	spans     [][2]int // rows the second pass scans
	bullseyes int
	bull      [2]finder // the first bullseyes seen
	loose     bool      // runs are tested edge to edge (see edgeRuns)
}

// scan returns the finder-like spots of the plane y (w x h).
func (fs *finderScan) scan(y []byte, w, h int) []finder {
	fs.found, fs.bullseyes = fs.found[:0], 0
	if w < 4*finderBlock || h < 4*finderBlock {
		return nil
	}
	fs.thresholds(y, w, h)
	fs.rows(y, w, h)
	return fs.found
}

// rescan returns the spots of the plane y that scan saw last, found
// again with the runs tested edge to edge (see edgeRuns) against the
// thresholds scan made: blur widens a blurred code's dark runs at its
// light ones' expense, and its finder patterns fail scan's test of each
// run while the distances from edge to edge hold. Clutter passes that
// test too, so it is not the gate: only a frame scan found worth
// decoding is scanned again, to say better where its code is.
func (fs *finderScan) rescan(y []byte, w, h int) []finder {
	fs.found, fs.loose = fs.found[:0], true
	defer func() { fs.loose = false }()
	fs.rows(y, w, h)
	return fs.found
}

// rows scans the rows of the plane y (see scan).
func (fs *finderScan) rows(y []byte, w, h int) {
	bw := (w + finderBlock - 1) / finderBlock
	// Every other scan row first; then the rows between, only within a
	// code's reach of what those saw. A frame without a code (most of
	// them) mostly stops at half the rows; in a code, the first rows see
	// some of its spots, and the rest of its rows are scanned as before.
	for row := 1; row < h-1; row += 2 * finderRowStep {
		fs.scanRow(y, w, h, bw, row)
	}
	fs.spans = fs.spans[:0]
	for _, f := range fs.found {
		fs.spans = append(fs.spans, reach(f, h))
	}
	for _, b := range fs.bull[:min(fs.bullseyes, len(fs.bull))] {
		fs.spans = append(fs.spans, reach(b, h))
	}
	for row := 1 + finderRowStep; row < h-1 && len(fs.spans) > 0; row += 2 * finderRowStep {
		for _, sp := range fs.spans {
			if row >= sp[0] && row < sp[1] {
				fs.scanRow(y, w, h, bw, row)
				break
			}
		}
	}
}

// anyIn reports whether the last scan saw a spot inside r, of about
// module's size when that is not 0.
func (fs *finderScan) anyIn(r image.Rectangle, module float64) bool {
	for _, f := range fs.found {
		if image.Pt(int(f.x), int(f.y)).In(r) && (module == 0 || f.module < 2*module && module < 2*f.module) {
			return true
		}
	}
	return false
}

// reach is the rows within a code's reach (60 modules) of spot f.
func reach(f finder, h int) [2]int {
	r := 60 * f.module
	return [2]int{max(0, int(f.y-r)), min(h, int(f.y+r)+1)}
}

// thresholds sets thr to each block's local threshold: the mean over the
// 5x5 blocks around it, or -1 where their grey spreads less than
// finderMinContrast.
func (fs *finderScan) thresholds(y []byte, w, h int) {
	bw, bh := (w+finderBlock-1)/finderBlock, (h+finderBlock-1)/finderBlock
	n := bw * bh
	if cap(fs.sums) < 3*n {
		fs.sums, fs.thr = make([]int32, 3*n), make([]int32, n)
	}
	sums, lo, hi := fs.sums[:n], fs.sums[n:2*n], fs.sums[2*n:3*n]
	fs.thr = fs.thr[:n]
	for i := range sums {
		sums[i], lo[i], hi[i] = 0, 255, 0
	}
	// A sample of every other pixel on every fourth row is enough for a
	// block's mean and spread, at an eighth of the reads: rows 1 and 5
	// of each block, both at once where the block has them.
	for by := 0; by < bh; by++ {
		y1, y2 := by*finderBlock+1, by*finderBlock+5
		if y1 >= h {
			break
		}
		k := by * bw
		r1 := y[y1*w : y1*w+w]
		if y2 >= h {
			for x := 0; x+finderBlock <= w; x += finderBlock {
				a, b, c, d := r1[x], r1[x+2], r1[x+4], r1[x+6]
				sums[k] = int32(a) + int32(b) + int32(c) + int32(d)
				lo[k], hi[k] = int32(min(a, b, c, d)), int32(max(a, b, c, d))
				k++
			}
			continue
		}
		// The eight samples of a block at once, without a branch: a
		// row's even pixels are four 16-bit lanes of a word (see
		// laneMinMax).
		r2 := y[y2*w : y2*w+w]
		for x := 0; x+finderBlock <= w; x += finderBlock {
			const even = 0x00ff00ff00ff00ff
			p := binary.LittleEndian.Uint64(r1[x:x+finderBlock]) & even
			q := binary.LittleEndian.Uint64(r2[x:x+finderBlock]) & even
			sums[k] = int32((p + q) * 0x0001000100010001 >> 48)
			mn, mx := laneMinMax(p, q)
			mn, _ = laneMinMax(mn, mn>>32)
			_, mx = laneMinMax(mx, mx>>32)
			mn, _ = laneMinMax(mn, mn>>16)
			_, mx = laneMinMax(mx, mx>>16)
			lo[k], hi[k] = int32(mn&0xff), int32(mx&0xff)
			k++
		}
	}
	// The 5x5 neighbourhood in two passes: across (into hs, hl, hh), then
	// down.
	if cap(fs.tmp) < 3*n {
		fs.tmp = make([]int32, 3*n)
	}
	hs, hl, hh := fs.tmp[:n], fs.tmp[n:2*n], fs.tmp[2*n:3*n]
	for by := 0; by < bh; by++ {
		row := by * bw
		window5(hs[row:row+bw], hl[row:row+bw], hh[row:row+bw], sums[row:row+bw], lo[row:row+bw], hi[row:row+bw])
	}
	// Down, a row at a time: the same windows.
	vs, vl, vh := sums, lo, hi // the samples are no longer needed
	for by := 0; by < bh; by++ {
		windowDown(vs, vl, vh, hs, hl, hh, by, bw, bh)
	}
	for by := 0; by < bh; by++ {
		rows := int32(min(bh-1, by+2) - max(0, by-2) + 1)
		for bx := 0; bx < bw; bx++ {
			k := by*bw + bx
			cols := int32(min(bw-1, bx+2) - max(0, bx-2) + 1)
			t := vs[k] / max(1, rows*cols*8)
			if vh[k]-vl[k] < finderMinContrast {
				t = -1
			}
			fs.thr[k] = t
		}
	}
}

// laneMinMax returns the least and greatest of a and b in each 16-bit
// lane, the lanes holding 0 to 255: a|0x100 - b borrows from no other
// lane, and sets the lane's bit 8 where a >= b.
func laneMinMax(a, b uint64) (mn, mx uint64) {
	const bit8 = 0x0100010001000100
	ge := ((a | bit8) - b) & bit8
	x := (a ^ b) & (ge - ge>>8)
	return a ^ x, b ^ x
}

// window5 sets each ds[i], dl[i], dh[i] to the sum, least and greatest of
// s, l, h over i-2..i+2 (within the slices), for a row of blocks.
func window5(ds, dl, dh, s, l, h []int32) {
	n := len(s)
	for i := 0; i < n; i++ {
		if i >= 2 && i+2 < n {
			ds[i] = s[i-2] + s[i-1] + s[i] + s[i+1] + s[i+2]
			dl[i] = min(l[i-2], l[i-1], l[i], l[i+1], l[i+2])
			dh[i] = max(h[i-2], h[i-1], h[i], h[i+1], h[i+2])
			continue
		}
		var sum int32
		mn, mx := int32(255), int32(0)
		for j := max(0, i-2); j <= min(n-1, i+2); j++ {
			sum += s[j]
			mn, mx = min(mn, l[j]), max(mx, h[j])
		}
		ds[i], dl[i], dh[i] = sum, mn, mx
	}
}

// windowDown is window5 down, for row by of blocks bw wide and bh high.
func windowDown(ds, dl, dh, s, l, h []int32, by, bw, bh int) {
	row := by * bw
	d0, d1, d2 := ds[row:row+bw], dl[row:row+bw], dh[row:row+bw]
	if by >= 2 && by+2 < bh {
		a, b, c, d, e := row-2*bw, row-bw, row, row+bw, row+2*bw
		sa, sb, sc, sd, se := s[a:a+bw], s[b:b+bw], s[c:c+bw], s[d:d+bw], s[e:e+bw]
		la, lb, lc, ld, le := l[a:a+bw], l[b:b+bw], l[c:c+bw], l[d:d+bw], l[e:e+bw]
		ha, hb, hc, hd, he := h[a:a+bw], h[b:b+bw], h[c:c+bw], h[d:d+bw], h[e:e+bw]
		for i := range d0 {
			d0[i] = sa[i] + sb[i] + sc[i] + sd[i] + se[i]
			d1[i] = min(la[i], lb[i], lc[i], ld[i], le[i])
			d2[i] = max(ha[i], hb[i], hc[i], hd[i], he[i])
		}
		return
	}
	for i := range d0 {
		var sum int32
		mn, mx := int32(255), int32(0)
		for j := max(0, by-2); j <= min(bh-1, by+2); j++ {
			sum += s[j*bw+i]
			mn, mx = min(mn, l[j*bw+i]), max(mx, h[j*bw+i])
		}
		d0[i], d1[i], d2[i] = sum, mn, mx
	}
}

// dark reports whether pixel (x, yy) is below its block's threshold, and
// whether the block has the contrast to say.
func (fs *finderScan) dark(y []byte, w, bw, x, yy int) (isDark, ok bool) {
	t := fs.thr[(yy/finderBlock)*bw+x/finderBlock]
	return int32(y[yy*w+x]) < t, t >= 0
}

// scanRow looks along one row for runs in the ratio 1:1:3:1:1 and checks
// each one down its centre's column. It is the pre-check's inner loop:
// up to 64 pixels at a time become a mask (bit set for dark, each pixel
// against its block's threshold, without a branch), and the runs are
// read off the mask by counting bits. r4 is the run being measured, of
// colour cur, after r3, r2, r1 and r0; n counts the runs held; a block
// without contrast ends them all.
func (fs *finderScan) scanRow(y []byte, w, h, bw, row int) {
	var r0, r1, r2, r3, r4 int
	n := 0
	cur := false
	pix, thr := y[row*w:row*w+w], fs.thr[(row/finderBlock)*bw:][:bw]
	for bx := 0; bx < bw; {
		if thr[bx] < 0 {
			if n >= 5 {
				fs.runsEnd(y, w, h, bw, row, bx*finderBlock, [5]int{r0, r1, r2, r3, r4}, cur)
			}
			n = 0
			bx++
			continue
		}
		x0 := bx * finderBlock
		m, cnt, next := rowMask(pix, thr, bx)
		bx = next
		for p := 0; p < cnt; {
			if n == 0 {
				cur, n, r4 = m>>p&1 == 1, 1, 0
			}
			rest := m >> p
			if cur {
				rest = ^rest
			}
			k := bits.TrailingZeros64(rest)
			if p+k >= cnt {
				r4 += cnt - p
				break
			}
			r4 += k
			p += k
			// Five runs ending in one of colour cur: a finder pattern's,
			// or, dark in the centre, a bullseye's. Nearly all runs in
			// clutter and noise fail both, at random, so the tests are
			// made without a branch (finderMiss, evenMiss), and the one
			// branch left is nearly always not taken.
			if n < 5 {
			} else if fs.loose {
				if r2 > r1 && r2 > r3 && edgeRuns(r0, r1, r2, r3, r4) {
					fs.runsEnd(y, w, h, bw, row, x0+p, [5]int{r0, r1, r2, r3, r4}, cur)
				}
			} else if t := r0 + r1 + r2 + r3 + r4; finderMiss(r0, r1, r2, r3, r4, t) >= 0 ||
				cur && fs.bullseyes < 8 && evenMiss(r0, r1, r2, r3, r4, t) >= 0 {
				fs.runsEnd(y, w, h, bw, row, x0+p, [5]int{r0, r1, r2, r3, r4}, cur)
			}
			r0, r1, r2, r3, r4 = r1, r2, r3, r4, 0
			cur, n = !cur, min(n+1, 5)
		}
	}
	if n >= 5 {
		fs.runsEnd(y, w, h, bw, row, w, [5]int{r0, r1, r2, r3, r4}, cur)
	}
}

// finderMiss is finderRuns for runs r0 to r4 of total t (at least 1),
// without a branch: not negative where they pass it. In clutter and
// noise the tests' outcomes are random, and their branches were
// mispredicted more often than not. Each test is a difference, negative
// where it fails, and an OR of them keeps any sign bit; t < 14r < 3t is
// |14r - 2t| < t, a difference of squares, and the centre's
// 3t < 14r < 9t is |14r - 6t| < 3t.
func finderMiss(r0, r1, r2, r3, r4, t int) int {
	tt, t2 := t*t-1, 2*t
	d0, d1, d3, d4, dc := 14*r0-t2, 14*r1-t2, 14*r3-t2, 14*r4-t2, 14*r2-3*t2
	return (r2 - r1 - 1) | (r2 - r3 - 1) | (t - 12) | (7*40 - t) |
		(tt - d0*d0) | (tt - d1*d1) | (tt - d3*d3) | (tt - d4*d4) | (9*tt + 8 - dc*dc)
}

// evenMiss is evenRuns as finderMiss is finderRuns: t < 10r < 3t is
// |10r - 2t| < t.
func evenMiss(r0, r1, r2, r3, r4, t int) int {
	tt, t2 := t*t-1, 2*t
	e0, e1, e2, e3, e4 := 10*r0-t2, 10*r1-t2, 10*r2-t2, 10*r3-t2, 10*r4-t2
	return (t - 10) | (5*40 - t) | (tt - e0*e0) | (tt - e1*e1) | (tt - e2*e2) | (tt - e3*e3) | (tt - e4*e4)
}

// between reports whether lo < v < hi, for lo < hi.
func between(v, lo, hi int) bool {
	return uint(v-lo-1) < uint(hi-lo-1)
}

// rowMask returns the mask of the row pix from block bx on: bit i set
// where pixel bx*finderBlock+i is dark against its block's threshold, up
// to 64 pixels or the first block without contrast; the pixels it holds,
// and the block after them. A whole block is compared at once (see
// darkBits), a last part block a pixel at a time.
func rowMask(pix []byte, thr []int32, bx int) (m uint64, cnt, next int) {
	for ; bx < len(thr) && thr[bx] >= 0 && cnt+finderBlock <= 64; bx++ {
		t, x := thr[bx], bx*finderBlock
		if x+finderBlock <= len(pix) {
			m |= darkBits(binary.LittleEndian.Uint64(pix[x:x+finderBlock]), t) << cnt
			cnt += finderBlock
			continue
		}
		for i, v := range pix[x:] {
			m |= uint64((int32(v)-t)>>31&1) << (cnt + i)
		}
		cnt += len(pix) - x
	}
	return m, cnt, bx
}

// darkBits returns bit i set where byte i of v is below t (0 to 255),
// all eight at once: with the top bits set aside, (v|0x80)-(t&0x7f) per
// byte borrows from no other, and its top bit says v&0x7f >= t&0x7f;
// where the top bits differ they decide. A multiply gathers the eight
// top bits into the top byte.
func darkBits(v uint64, t int32) uint64 {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	tt := uint64(t) * ones
	ge := (v | tops) - (tt &^ tops)
	lt := (^v&tt | ^(v^tt)&^ge) & tops
	return (lt >> 7) * 0x0102040810204080 >> 56
}

// runsEnd looks at the five runs that end at x on row, the last of colour
// cur: a bullseye's rings, or a finder pattern's.
func (fs *finderScan) runsEnd(y []byte, w, h, bw, row, x int, runs [5]int, cur bool) {
	cx := x - runs[4] - runs[3] - runs[2]/2
	if !fs.loose && cur && fs.bullseyes < 8 && evenRuns(runs) {
		fs.checkBullseye(y, w, h, bw, cx, row, (runs[0]+runs[1]+runs[2]+runs[3]+runs[4])/5)
	}
	if fs.ratio(runs) {
		// The centre run's colour is the last run's: they alternate.
		total := runs[0] + runs[1] + runs[2] + runs[3] + runs[4]
		fs.crossCheck(y, w, h, bw, cx, row, float64(total)/7, cur)
	}
}

// finderRatio reports whether five runs are 1:1:3:1:1 (see finderRuns).
func finderRatio(r [5]int) bool { return finderRuns(r[0], r[1], r[2], r[3], r[4]) }

// ratio is the scan's test of five runs: finderRuns, or edgeRuns on a
// rescan.
func (fs *finderScan) ratio(r [5]int) bool {
	if fs.loose {
		return edgeRuns(r[0], r[1], r[2], r[3], r[4])
	}
	return finderRuns(r[0], r[1], r[2], r[3], r[4])
}

// edgeRuns reports whether runs r0 to r4 are a finder pattern's measured
// edge to edge: a dark run and the light one beside it span 2, 4, 4 and
// 2 modules, each within three quarters of one, however much blur has
// moved the edges between dark and light, which widens every dark run
// and narrows every light one by as much. With m = t/7 for t the total,
// |e - k*m| < 3m/4 is |28e - 4kt| < 3t.
func edgeRuns(r0, r1, r2, r3, r4 int) bool {
	t := r0 + r1 + r2 + r3 + r4
	if t < 12 || t > 7*40 || min(r0, r1, r2, r3, r4) == 0 {
		return false
	}
	return abs(28*(r0+r1)-8*t) < 3*t && abs(28*(r1+r2)-16*t) < 3*t &&
		abs(28*(r2+r3)-16*t) < 3*t && abs(28*(r3+r4)-8*t) < 3*t
}

// finderRuns reports whether runs r0 to r4 are 1:1:3:1:1, each within
// half a module (one and a half for the centre), in integers: with
// m = t/7 for t the total, |r-m| < m/2 is t < 14r < 3t, so that two
// such runs are less than three times each other wide; the centre's is
// 3t < 14r < 9t. The cheap test first: most runs in clutter fail it
// (scanRow makes it before the call). Its five ints, not an array, keep
// scanRow's runs in registers.
func finderRuns(r0, r1, r2, r3, r4 int) bool {
	if r2 <= r1 || r2 <= r3 {
		return false
	}
	t := r0 + r1 + r2 + r3 + r4
	return t >= 12 && t <= 7*40 && between(14*r0, t, 3*t) && between(14*r1, t, 3*t) &&
		between(14*r3, t, 3*t) && between(14*r4, t, 3*t) && between(14*r2, 3*t, 9*t)
}

// rings walks from (x, y0) by (dx, dy) through a run of the centre's
// colour and the two runs after it, and returns their lengths; the third
// run longer than limit (the outer ring merging into its surroundings),
// a block without contrast or the frame's edge ends the walk.
func (fs *finderScan) rings(y []byte, w, h, bw, x, y0, dx, dy int, centre bool, limit int) (r [3]int) {
	want, k := centre, 0
	for cx, cy := x, y0; k < 3 && cx >= 0 && cx < w && cy >= 0 && cy < h; {
		d, ok := fs.dark(y, w, bw, cx, cy)
		if !ok {
			break
		}
		if d != want {
			k, want = k+1, !want
			continue
		}
		if r[k]++; k == 2 && r[k] > limit {
			break
		}
		cx, cy = cx+dx, cy+dy
	}
	return r
}

// crossCheck walks up and down column x from row through the centre run
// (of the colour centre) and the two rings, and records the spot when the
// column agrees with the row.
func (fs *finderScan) crossCheck(y []byte, w, h, bw, x, row int, module float64, centre bool) {
	if x < 0 || x >= w {
		return
	}
	limit := int(3 * module)
	up := fs.rings(y, w, h, bw, x, row, 0, -1, centre, limit)
	if !fs.loose && (up[1] >= 3*up[2] || up[2] >= 3*up[1]) {
		return // one module each, within half of one: see finderRuns
	}
	down := fs.rings(y, w, h, bw, x, row, 0, 1, centre, limit)
	counts := [5]int{up[2], up[1], up[0] + down[0] - 1, down[1], down[2]}
	if !fs.ratio(counts) {
		return
	}
	vm := float64(counts[0]+counts[1]+counts[2]+counts[3]+counts[4]) / 7
	if vm > 2.5*module || module > 2.5*vm {
		return
	}
	cy := float64(row-up[0]+1) + float64(counts[2])/2
	fs.add(finder{x: float64(x), y: cy, module: (module + vm) / 2, inverted: !centre, hits: 1})
}

// add merges f into a spot already found nearby, or keeps it as new.
func (fs *finderScan) add(f finder) {
	for i := range fs.found {
		g := &fs.found[i]
		if g.inverted == f.inverted && math.Abs(g.x-f.x) < 2*g.module && math.Abs(g.y-f.y) < 2*g.module {
			k := float64(g.hits)
			g.x, g.y, g.module = (g.x*k+f.x)/(k+1), (g.y*k+f.y)/(k+1), (g.module*k+f.module)/(k+1)
			g.hits++
			return
		}
	}
	if len(fs.found) < 64 {
		fs.found = append(fs.found, f)
	}
}

// densest returns the spot with the most others of about its module size
// within a code's reach (40 of its modules), and how many there are,
// hits counted, of either polarity: a code's own modules make such spots
// by chance around its real finder patterns, light ones as well as dark;
// clutter makes few, far apart.
func densest(fs []finder) (best finder, count int) {
	for _, a := range fs {
		c := 0
		for _, b := range fs {
			if near(a, b) {
				c += b.hits
			}
		}
		if c > count {
			best, count = a, c
		}
	}
	return best, count
}

// near reports whether b is within a code's reach of a, at about a's scale.
func near(a, b finder) bool {
	return b.module < 2*a.module && a.module < 2*b.module &&
		math.Abs(a.x-b.x) < 40*a.module && math.Abs(a.y-b.y) < 40*a.module
}
