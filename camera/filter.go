package camera

// boxBlur3 writes a 3x3 box blur of src (w x h) into dst; edges are
// copied. Two passes of running sums keep it at a few adds a pixel.
func boxBlur3(dst, src []byte, w, h int) {
	if w < 3 || h < 3 {
		copy(dst, src[:w*h])
		return
	}
	copy(dst[:w], src[:w])
	copy(dst[(h-1)*w:], src[(h-1)*w:h*w])
	for y := 1; y < h-1; y++ {
		a, b, c := src[(y-1)*w:y*w], src[y*w:(y+1)*w], src[(y+1)*w:(y+2)*w]
		out := dst[y*w : (y+1)*w]
		out[0], out[w-1] = b[0], b[w-1]
		col0 := uint32(a[0]) + uint32(b[0]) + uint32(c[0])
		col1 := uint32(a[1]) + uint32(b[1]) + uint32(c[1])
		for x := 1; x < w-1; x++ {
			col2 := uint32(a[x+1]) + uint32(b[x+1]) + uint32(c[x+1])
			out[x] = uint8((col0 + col1 + col2) * 7282 >> 16) // /9
			col0, col1 = col1, col2
		}
	}
}

// halve writes src (w x h) averaged over 2x2 blocks into dst (w/2 x h/2).
func halve(dst, src []byte, w, h int) {
	hw, hh := w/2, h/2
	for y := 0; y < hh; y++ {
		a, b := src[2*y*w:], src[(2*y+1)*w:]
		out := dst[y*hw : (y+1)*hw]
		for x := range out {
			out[x] = uint8((uint32(a[2*x]) + uint32(a[2*x+1]) + uint32(b[2*x]) + uint32(b[2*x+1]) + 2) >> 2)
		}
	}
}

// double writes src (w x h) at twice the size into dst (2w x 2h), each
// new pixel the mean of its nearest source pixels.
func double(dst, src []byte, w, h int) {
	W := 2 * w
	for y := 0; y < 2*h; y++ {
		r0 := src[(y/2)*w : (y/2)*w+w]
		r1 := src[min(y/2+(y&1), h-1)*w:][:w]
		out := dst[y*W : y*W+W]
		for x := 0; x < w; x++ {
			x1 := min(x+1, w-1)
			a, b := uint32(r0[x])+uint32(r1[x]), uint32(r0[x1])+uint32(r1[x1])
			out[2*x] = uint8((a + 1) >> 1)
			out[2*x+1] = uint8((a + b + 2) >> 2)
		}
	}
}
