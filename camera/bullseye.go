package camera

// The Aztec bullseye test of the finder pre-check: an Aztec code's centre
// is concentric squares of one width, dark in the middle, where a QR
// code's finder patterns are 1:1:3:1:1.

// evenRuns reports whether five runs are of one width, within half of it:
// an Aztec bullseye's rings across its centre. Each is then wider than a
// tenth of the total, at least 10: no run of one pixel passes.
func evenRuns(r [5]int) bool {
	total := r[0] + r[1] + r[2] + r[3] + r[4]
	if total < 10 || total > 5*40 {
		return false
	}
	for _, v := range r {
		if d := 10*v - 2*total; d >= total || -d >= total {
			return false
		}
	}
	return true
}

// checkBullseye looks down through (x, row) and then, from the centre of
// what it found, across and along both diagonals, for the dark centre
// and three rings each side of an Aztec bullseye (the smallest, compact,
// has two dark rings around its centre, and the mode message beyond),
// all of one width: seven even runs, and a run after them. Five even
// runs alone come by chance in noise and clutter; a chequerboard has
// them across and down, but from a square's centre its diagonals stay
// on one colour through the corners.
func (fs *finderScan) checkBullseye(y []byte, w, h, bw, x, row, module int) {
	// Of the run after the rings only half a module is wanted: the walk
	// stops there.
	// The walk back alone can rule the direction out, before the walk
	// forward: three of its rings of one width, within half of it, are
	// less than three times each other wide (see evenRuns7).
	even := func(x, y0, dx, dy int) (bool, int) {
		back := fs.ringRuns(y, w, h, bw, x, y0, -dx, -dy, (module+1)/2)
		a, b, c := back[1], back[2], back[3]
		if 2*back[4] < module || max(a, b, c) >= 3*min(a, b, c) {
			return false, 0
		}
		fwd := fs.ringRuns(y, w, h, bw, x, y0, dx, dy, (module+1)/2)
		r := [7]int{back[3], back[2], back[1], back[0] + fwd[0] - 1, fwd[1], fwd[2], fwd[3]}
		return evenRuns7(r) && 2*back[4] >= module && 2*fwd[4] >= module, (fwd[0] - back[0]) / 2
	}
	ok, shift := even(x, row, 0, 1)
	if !ok {
		return
	}
	cy := row + shift
	for _, dir := range [][2]int{{1, 0}, {1, 1}, {1, -1}} {
		if ok, _ := even(x, cy, dir[0], dir[1]); !ok {
			return
		}
	}
	if fs.bullseyes < len(fs.bull) {
		fs.bull[fs.bullseyes] = finder{x: float64(x), y: float64(cy), module: float64(module), hits: 1}
	}
	fs.bullseyes++
}

// evenRuns7 reports whether seven runs are of one width, within half of
// it: each wider than a fourteenth of the total and narrower than three.
func evenRuns7(r [7]int) bool {
	total := 0
	for _, v := range r {
		total += v
	}
	if total < 14 || total > 7*40 {
		return false
	}
	for _, v := range r {
		if d := 14*v - 2*total; d >= total || -d >= total {
			return false
		}
	}
	return true
}

// ringRuns walks from (x, y0) by (dx, dy) through a dark centre and the
// four runs after it, and returns their lengths; the last run as long as
// enough, a block without contrast or the frame's edge ends the walk.
func (fs *finderScan) ringRuns(y []byte, w, h, bw, x, y0, dx, dy, enough int) (r [5]int) {
	want, k := true, 0
	for cx, cy := x, y0; k < 5 && cx >= 0 && cx < w && cy >= 0 && cy < h; {
		d, ok := fs.dark(y, w, bw, cx, cy)
		if !ok {
			break
		}
		if d != want {
			k, want = k+1, !want
			continue
		}
		if r[k]++; k == 4 && r[k] >= enough {
			break
		}
		cx, cy = cx+dx, cy+dy
	}
	return r
}
