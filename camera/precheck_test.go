package camera

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand"
	"sync"
	"testing"
)

// precheckPlane is one grey plane the pre-check is run on.
type precheckPlane struct {
	y    []byte
	w, h int
}

// precheckSet is a set of planes whose pre-check results are pinned by
// a digest.
type precheckSet struct {
	name   string
	planes func(yield func(precheckPlane))
}

// jpegPlanes decodes the frames' luminance with image/jpeg (not
// LumaJPEG: the planes must not depend on the JPEG library built in),
// and gives each to yield, then a crop of it that is no multiple of a
// block wide or high.
func jpegPlanes(frames []sceneFrame, yield func(precheckPlane)) {
	for _, f := range frames {
		img, err := jpeg.Decode(bytes.NewReader(f.jpeg))
		if err != nil {
			panic(err)
		}
		var pix []byte
		var stride int
		switch m := img.(type) {
		case *image.Gray:
			pix, stride = m.Pix, m.Stride
		case *image.YCbCr:
			pix, stride = m.Y, m.YStride
		default:
			panic(fmt.Sprintf("%T", img))
		}
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		yield(precheckPlane{planeCut(pix, stride, 0, 0, w, h), w, h})
		yield(precheckPlane{planeCut(pix, stride, 3, 2, w-13, h-7), w - 13, h - 7})
	}
}

// planeCut copies the w x h part of pix at (x0, y0) into a plane of its own.
func planeCut(pix []byte, stride, x0, y0, w, h int) []byte {
	out := make([]byte, 0, w*h)
	for yy := y0; yy < y0+h; yy++ {
		out = append(out, pix[yy*stride+x0:yy*stride+x0+w]...)
	}
	return out
}

// edgePlanes are frames at the pre-check's edges: tiny, no multiple of a
// block, flat black and white, noise, a checkerboard, one-pixel stripes,
// and drawn finder patterns and bullseyes at the frame's borders.
func edgePlanes(yield func(precheckPlane)) {
	r := rand.New(rand.NewSource(11))
	add := func(w, h int, f func(x, y int) byte) {
		y := make([]byte, w*h)
		for yy := 0; yy < h; yy++ {
			for x := 0; x < w; x++ {
				y[yy*w+x] = f(x, yy)
			}
		}
		yield(precheckPlane{y, w, h})
	}
	sizes := [][2]int{{0, 0}, {1, 1}, {31, 31}, {32, 32}, {33, 35}, {40, 41}, {63, 200}, {333, 77}, {640, 480}, {1281, 721}}
	for _, s := range sizes {
		w, h := s[0], s[1]
		add(w, h, func(x, y int) byte { return 0 })
		add(w, h, func(x, y int) byte { return 255 })
		add(w, h, func(x, y int) byte { return byte(r.Intn(256)) })
		add(w, h, func(x, y int) byte { return byte(100 + r.Intn(30)) })
		add(w, h, func(x, y int) byte { return byte(255 * ((x/3 + y/3) % 2)) })
		add(w, h, func(x, y int) byte { return byte(255 * (x % 2)) })
		add(w, h, func(x, y int) byte { return byte(255 * ((x/7 ^ y/5) & 1)) })
		for _, m := range []int{1, 2, 3, 5} {
			// Finder patterns (1:1:3:1:1) and bullseyes (rings of one
			// width), dark on light and light on dark, cut by the edges.
			fin := func(x, y, cx, cy int) bool {
				d := max(abs(x-cx), abs(y-cy)) / m
				return d <= 1 || d == 3
			}
			bull := func(x, y, cx, cy int) bool {
				return max(abs(x-cx), abs(y-cy))/m%2 == 0
			}
			c := 3*m + m/2
			add(w, h, func(x, y int) byte {
				on := fin(x, y, c, c) || fin(x, y, w-1-c, c) || fin(x, y, c, h-1-c) || fin(x, y, w/2, h/2)
				return byte(30 + 200*boolInt(!on) + r.Intn(9))
			})
			add(w, h, func(x, y int) byte {
				on := fin(x, y, c, c) || fin(x, y, w-1-c, c) || fin(x, y, c, h-1-c)
				return byte(30 + 200*boolInt(on) + r.Intn(9))
			})
			add(w, h, func(x, y int) byte {
				on := max(abs(x-w/2), abs(y-h/2)) < 7*m && bull(x, y, w/2, h/2) || max(abs(x-4*m), abs(y-h/3)) < 7*m && bull(x, y, 4*m, h/3)
				return byte(30 + 200*boolInt(!on) + r.Intn(9))
			})
		}
	}
}

// precheckDigest runs the pre-check over planes with one finderScan, as
// a decoder does frame after frame, and returns a SHA-256 of every
// result: each spot's x, y, module (their bits), polarity and hits, the
// bullseyes count and the bullseyes kept, and what densest makes of it.
func precheckDigest(planes func(yield func(precheckPlane))) string {
	var fs finderScan
	d := sha256.New()
	var buf []byte
	f64 := func(v float64) { buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v)) }
	i64 := func(v int) { buf = binary.LittleEndian.AppendUint64(buf, uint64(v)) }
	spot := func(f finder) {
		f64(f.x)
		f64(f.y)
		f64(f.module)
		i64(boolInt(f.inverted))
		i64(f.hits)
	}
	planes(func(p precheckPlane) {
		buf = buf[:0]
		found := fs.scan(p.y, p.w, p.h)
		i64(len(found))
		for _, f := range found {
			spot(f)
		}
		i64(fs.bullseyes)
		for _, b := range fs.bull[:min(fs.bullseyes, len(fs.bull))] {
			spot(b)
		}
		best, n := densest(found)
		spot(best)
		i64(n)
		d.Write(buf)
	})
	return hex.EncodeToString(d.Sum(nil))
}

// precheckSets are the frames TestPrecheckUnchanged pins: the two
// generators' frames at the benchmarks' seeds, n a tier, and at two more
// seeds, m a tier; and the edge cases.
func precheckSets(n, m int) []precheckSet {
	scenes := func(seed int64, n int) precheckSet {
		return precheckSet{fmt.Sprintf("scenes-%d-%d", seed, n), func(yield func(precheckPlane)) { jpegPlanes(sceneFrames(seed, n), yield) }}
	}
	gen := func(seed int64, n int) precheckSet {
		return precheckSet{fmt.Sprintf("gen-%d-%d", seed, n), func(yield func(precheckPlane)) { jpegPlanes(genAsJPEG(seed, n), yield) }}
	}
	return []precheckSet{scenes(1501, n), gen(1502, n), scenes(7, m), gen(8, m), {"edges", edgePlanes}}
}

// precheckGolden are the digests of the sets by name, made by the
// pre-check as it was before it was made faster: any change to what it
// finds on any frame changes them.
var precheckGolden = map[string]string{
	"scenes-1501-60": "cb128c4068dc2953b5a08913a429eaeecf4eb2fe9a15e04793c2c28493921993",
	"gen-1502-60":    "73da55066c5804a1146336bfffecde3199d05cce17ae9f547606aaa4c02870e2",
	"scenes-7-20":    "a9afc9d46a7e11cf3e2cece3235a345548a167728793ef302af29dcd9fd1f44e",
	"gen-8-20":       "611c8fadeca39673767f27d6fad9ca6e9c8d40bbc3baad17287254356558ca80",
	"edges":          "c58f2261316b4dcd0ee0729b103c3ef183ba6f7b177138b2131b8509fc6bf7dc",
	// fewer frames, for -short and the race detector (the first two)
	"scenes-1501-4": "dc335f8079ecc5704a535a532d923ba8d4cf540b1460edf22b7411746b140fdf",
	"gen-1502-4":    "33f6c3278df12638304d58e6d2b3ee4360aa8e037a380e5facdc01a90f6b6c32",
	"scenes-7-2":    "22b24925e19af5be88f0be36755592347bac0da2f655bfe700a6a5bef97ba853",
	"gen-8-2":       "d84275c74516daafc852c5b2fe90e6d1300f7edb931a70bdee1089fdcd8b0d91",
}

// TestPrecheckUnchanged checks that the pre-check finds exactly what it
// found before, spot for spot and bit for bit, on every frame of the
// sets; the sets are made and checked side by side. A set without a
// digest fails with what it got.
func TestPrecheckUnchanged(t *testing.T) {
	sets := precheckSets(60, 20)
	if testing.Short() {
		sets = precheckSets(4, 2)
	}
	if raceOn {
		// The race detector slows the generators many times over: the
		// benchmarks' seeds only, and fewer frames.
		sets = precheckSets(4, 2)
		sets = []precheckSet{sets[0], sets[1], sets[4]}
	}
	got := make([]string, len(sets))
	var wg sync.WaitGroup
	for i, set := range sets {
		wg.Go(func() { got[i] = precheckDigest(set.planes) })
	}
	wg.Wait()
	for i, set := range sets {
		if want, ok := precheckGolden[set.name]; !ok {
			t.Errorf("no digest for %s: %q: %q,", set.name, set.name, got[i])
		} else if got[i] != want {
			t.Errorf("%s: pre-check results digest %s, want %s", set.name, got[i], want)
		}
	}
}

// TestDarkBits checks darkBits against a byte at a time, for every byte
// and threshold, among random bytes.
func TestDarkBits(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for th := int32(0); th < 256; th++ {
		for v := 0; v < 256; v++ {
			var b [8]byte
			for i := range b {
				b[i] = byte(r.Intn(256))
			}
			b[v%8] = byte(v)
			var want uint64
			for i, p := range b {
				if int32(p) < th {
					want |= 1 << i
				}
			}
			if got := darkBits(binary.LittleEndian.Uint64(b[:]), th); got != want {
				t.Fatalf("darkBits(%v, %d) = %08b, want %08b", b, th, got, want)
			}
		}
	}
}

// TestLaneMinMax checks laneMinMax against a lane at a time.
func TestLaneMinMax(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for a := uint64(0); a < 256; a++ {
		for b := uint64(0); b < 256; b++ {
			var x, y uint64
			for l := range 4 {
				u, v := uint64(r.Intn(256)), uint64(r.Intn(256))
				if l == int(a+b)%4 {
					u, v = a, b
				}
				x, y = x|u<<(16*l), y|v<<(16*l)
			}
			mn, mx := laneMinMax(x, y)
			for l := range 4 {
				u, v := x>>(16*l)&0xffff, y>>(16*l)&0xffff
				if mn>>(16*l)&0xffff != min(u, v) || mx>>(16*l)&0xffff != max(u, v) {
					t.Fatalf("laneMinMax(%016x, %016x) = %016x, %016x", x, y, mn, mx)
				}
			}
		}
	}
}
