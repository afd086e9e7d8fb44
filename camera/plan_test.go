package camera

import (
	"image"
	"math/rand"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// TestPlanFor checks which frames get which plan: a webcam frame with
// weak evidence the cheap one, or none where the spots are too large for
// the codes such frames show; strong evidence the full one; a photo-sized
// image the small one whatever the evidence.
func TestPlanFor(t *testing.T) {
	small := image.Rect(0, 0, 300, 300)
	for _, c := range []struct {
		name string
		w, h int
		s    sighting
		want []stage
	}{
		{"weak", 1280, 720, sighting{region: small, dense: 3}, weakPlan},
		{"weak, large region", 1280, 720, sighting{region: image.Rect(0, 0, 900, 700), dense: weakDense - 1}, nil},
		{"strong", 1280, 720, sighting{region: small, dense: weakDense}, strongPlan},
		{"moderate, wide region", 1280, 720, sighting{region: image.Rect(0, 0, 900, 600), dense: moderateDense - 1}, nil},
		{"moderate, region of a code", 1280, 720, sighting{region: image.Rect(0, 0, 750, 640), dense: moderateDense - 1}, strongPlan},
		{"strong, large region", 1280, 720, sighting{region: image.Rect(0, 0, 900, 700), dense: 30}, strongPlan},
		{"photo, weak", 640, 480, sighting{region: small, dense: 3}, smallPlan},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := planFor(c.w, c.h, c.s); !slices.Equal(got, c.want) {
				t.Errorf("plan %v, want %v", got, c.want)
			}
		})
	}
}

// TestWeakPlanIsCheap keeps the plan for weak evidence to cheap stages:
// it is what most frames without a code that the pre-check lets through
// get, and those must stay cheap.
func TestWeakPlanIsCheap(t *testing.T) {
	for _, st := range weakPlan {
		if st.where != inRegion {
			t.Errorf("%v reads %d, want the region", st.step, st.where)
		}
		if st.step == StepDouble || st.step == StepHarder || st.step == StepBlurHarder {
			t.Errorf("%v in the weak plan: a costly step", st.step)
		}
	}
}

// TestFinderTriples checks the triangles tried for a tilted code: a right
// isosceles one first, a skewed one (a keystone) after it, and none of
// three points on a line, of module sizes far apart, or too close for a
// code.
func TestFinderTriples(t *testing.T) {
	fp := func(x, y, m float64) *detector.FinderPattern { return detector.NewFinderPattern(x, y, m, 2) }
	tl, tr, bl := fp(100, 100, 4), fp(300, 100, 4), fp(100, 300, 4)
	skewed := fp(320, 330, 4.5) // with tl and tr: a keystoned code's corners
	got := finderTriples([]*detector.FinderPattern{tl, tr, bl, skewed}, 4)
	if len(got) == 0 || !sameTriple(got[0], [3]*detector.FinderPattern{tl, tr, bl}) {
		t.Fatalf("first triple %v, want the right isosceles one", got)
	}
	for name, cs := range map[string][]*detector.FinderPattern{
		"line":       {fp(100, 100, 4), fp(200, 100, 4), fp(300, 100, 4)},
		"module":     {fp(100, 100, 2), fp(300, 100, 4), fp(100, 300, 6)},
		"too close":  {fp(100, 100, 4), fp(130, 100, 4), fp(100, 130, 4)},
		"two points": {fp(100, 100, 4), fp(300, 100, 4)},
	} {
		t.Run(name, func(t *testing.T) {
			if got := finderTriples(cs, 4); len(got) != 0 {
				t.Errorf("triples %v, want none", got)
			}
		})
	}
}

func sameTriple(a, b [3]*detector.FinderPattern) bool {
	for _, p := range b {
		if !slices.Contains(a[:], p) {
			return false
		}
	}
	return true
}

// TestPerspectiveReadsTiltedCodes reads keystoned codes with the
// tilted-code search alone: most of them, and never a wrong text.
func TestPerspectiveReadsTiltedCodes(t *testing.T) {
	skipUnderRace(t)
	frames := genFrames(61, []string{kindKeystone}, 4, 1280, 720)
	read := 0
	for _, g := range frames {
		f := g.frame()
		text, ok := NewDecoder().TryStep(StepPerspective, &f)
		switch {
		case ok && text != g.text:
			t.Errorf("%v: read %.30q, want %.30q", g, text, g.text)
		case ok:
			read++
		}
	}
	t.Logf("read %d of %d", read, len(frames))
	if read < 3 {
		t.Errorf("read %d of %d keystoned codes, want at least 3", read, len(frames))
	}
}

// TestStrongPlanEndsWithTheWholeFrame reads the blurred gen frame (seed
// 1502, the bench's) that only the tilted-code search over the whole
// frame reads, from its JPEG bytes as the bench has it, and checks that
// a strong sighting's region holds the code, so that it is the last
// stage of strongPlan that reads it.
func TestStrongPlanEndsWithTheWholeFrame(t *testing.T) {
	skipUnderRace(t)
	g := genFrames(1502, hardKinds, 6, 1280, 720)[19]
	d := NewDecoder()
	if err := LumaJPEG(g.asJPEG(), 1, &d.frame); err != nil {
		t.Fatal(err)
	}
	y, w, h := d.pack(&d.frame), d.frame.Width, d.frame.Height
	s, ok := d.look(y, w, h)
	if !ok || !slices.Equal(planFor(w, h, s), strongPlan) {
		t.Fatalf("%v: sighting %+v (%v), want one that gets strongPlan", g, s, ok)
	}
	plan := strongPlan[:len(strongPlan)-1]
	if last := strongPlan[len(strongPlan)-1]; last != (stage{StepPerspective, inFrame}) {
		t.Fatalf("strongPlan ends with %v", last)
	}
	if text, ok := d.run(plan, y, w, h, s); ok {
		t.Fatalf("%v: read %.30q before the last stage; pick another frame for this test", g, text)
	}
	if text, err := d.Decode(&d.frame); err != nil || text != g.text {
		t.Errorf("%v: read %.30q (%v), want %.30q", g, text, err, g.text)
	}
}

// TestNoBullseyeOnChequers checks that the Aztec bullseye test takes
// neither a chequerboard nor noise for one: such frames ran the Aztec
// reader for nothing.
func TestNoBullseyeOnChequers(t *testing.T) {
	for name, img := range map[string]*image.Gray{"chequers 9": chequers(640, 480, 9), "chequers 25": chequers(640, 480, 25), "stripes": stripes(640, 480)} {
		t.Run(name, func(t *testing.T) {
			var fs finderScan
			fs.scan(img.Pix, 640, 480)
			if fs.bullseyes != 0 {
				t.Errorf("%d bullseyes seen", fs.bullseyes)
			}
		})
	}
}

// TestRelookPlacesTheBlurredCode reads a blurred hard scene (seed 1501,
// the bench's, hard frame 13) whose finder patterns the pre-check's test
// of each run misses: its spots are weak evidence, and no stage of the
// plan they get reads it. relook's scan, edge to edge, sees strong
// evidence over a region a code fills, and relookPlan reads it there.
func TestRelookPlacesTheBlurredCode(t *testing.T) {
	skipUnderRace(t)
	r := rand.New(rand.NewSource(1501))
	for i := range 60 {
		sceneOne(r, tierEasy, i)
	}
	var f sceneFrame
	for i := range 14 {
		f = sceneOne(r, tierHard, i)
	}
	d := NewDecoder()
	if err := LumaJPEG(f.jpeg, 1, &d.frame); err != nil {
		t.Fatal(err)
	}
	y, w, h := d.pack(&d.frame), d.frame.Width, d.frame.Height
	s, ok := d.look(y, w, h)
	if !ok || slices.Equal(planFor(w, h, s), strongPlan) {
		t.Fatalf("sighting %+v (%v), want weak evidence", s, ok)
	}
	if text, ok := d.run(planFor(w, h, s), y, w, h, s); ok {
		t.Fatalf("read %.30q on look's sighting; pick another frame for this test", text)
	}
	s2, ok := d.relook(y, w, h)
	if !ok || !s2.worthRelookPlan(w, h) {
		t.Fatalf("relook saw %+v (%v), want strong evidence", s2, ok)
	}
	if text, err := d.Decode(&d.frame); err != nil || text != f.text {
		t.Errorf("read %.30q (%v), want %.30q", text, err, f.text)
	}
}
