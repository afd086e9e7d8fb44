package camera

import (
	"fmt"
	"image"
)

// minDense is the fewest finder-like sightings (see densest) that make a
// frame worth gozxing's time. On the generated frames every code read
// by any step had 3 or more, and nine in ten frames without a code had 2
// or fewer.
const minDense = 3

// sighting is where the pre-check saw a code: the part of the frame to
// read and whether the code is light on dark.
type sighting struct {
	region   image.Rectangle
	inverted bool
	dense    int     // how many finder-like spots, hits counted, were near
	module   float64 // the module size of its spots, in pixels (see moduleNear)
}

// look runs the finder pre-check over the plane y (w x h).
func (d *Decoder) look(y []byte, w, h int) (sighting, bool) {
	return sight(d.finders.scan(y, w, h), w, h)
}

// relook scans the plane y again with the runs tested edge to edge (see
// rescan), after look, and returns where that scan sees the code; look's
// spots are kept in d.strict.
func (d *Decoder) relook(y []byte, w, h int) (sighting, bool) {
	d.strict = append(d.strict[:0], d.finders.found...)
	return sight(d.finders.rescan(y, w, h), w, h)
}

// sight is where spots, a scan's finder-like spots on a w x h plane, say
// a code is (see densest): false where too few are near each other.
func sight(spots []finder, w, h int) (sighting, bool) {
	best, n := densest(spots)
	if n < minDense {
		return sighting{}, false
	}
	m := best.module
	minX, minY, maxX, maxY := best.x, best.y, best.x, best.y
	// The code's polarity is that of its finder patterns, which more
	// than one scan line crosses; its modules make both.
	vote := 0
	var near64 [64]finder // a scan keeps 64 spots at most
	ns := near64[:0]
	for _, b := range spots {
		if !near(best, b) {
			continue
		}
		if len(ns) < len(near64) {
			ns = append(ns, b)
		}
		minX, maxX = min(minX, b.x), max(maxX, b.x)
		minY, maxY = min(minY, b.y), max(maxY, b.y)
		if b.hits > 1 && b.inverted {
			vote += b.hits
		} else if b.hits > 1 {
			vote -= b.hits
		}
	}
	// The sightings lie inside the code; its finder patterns' outer edges
	// and a quiet zone lie beyond: 12 modules, and a region at least as
	// large as the smallest PD1 code (version 8, 49 modules) and its zone.
	grow := 24 * m
	side := 100 * m
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	halfW, halfH := max((maxX-minX)/2+grow, side/2), max((maxY-minY)/2+grow, side/2)
	r := image.Rect(int(cx-halfW), int(cy-halfH), int(cx+halfW)+1, int(cy+halfH)+1).Intersect(image.Rect(0, 0, w, h))
	return sighting{region: r, inverted: vote > 0, dense: n, module: moduleNear(best, ns)}, !r.Empty()
}

// moduleNear is the module size of ns, the spots near best (best among
// them): the median of their modules with each counted as often as scan
// lines saw it. A code's finder patterns are crossed by many lines, the
// spots its modules make by chance by one or two, and best may be one of
// those, larger. It sorts ns.
func moduleNear(best finder, ns []finder) float64 {
	total := 0
	for _, b := range ns {
		total += b.hits
	}
	for i := 1; i < len(ns); i++ { // by module, a few dozen at most
		for j := i; j > 0 && ns[j].module < ns[j-1].module; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
	seen := 0
	for _, b := range ns {
		if seen += b.hits; 2*seen >= total {
			return b.module
		}
	}
	return best.module
}

// regionSteps are what DecodeLive tries on the part of the frame the
// pre-check points at (plain, then one of the others a frame); most
// useful first, as measured on the first generator's hard frames.
var regionSteps = []Step{StepPlain, StepBlur, StepGlobal, StepDouble, StepSharpen, StepBlur2, StepBlurGlobal, StepPerspective, StepHalf, StepStretch}

// weakDense is the count of sightings (see densest) under which the
// pre-check's evidence is weak: frames without a code reach it (clutter
// of small dark marks, a chequered shirt), and on the generated hard
// frames any one step read only one such frame in six, each step a
// different one. Those frames get weakPlan only, so that a frame without
// a code stays cheap (the kiosk sees mostly those).
const weakDense = 7

// Where a stage of a plan reads.
const (
	inRegion  = iota // the region the pre-check points at
	inFlipped        // the region in the other polarity
	inFrame          // the whole frame (the region may have missed the code)
)

// stage is one attempt of a plan: a step, and where it reads.
type stage struct {
	step  Step
	where int
}

// strongPlan is what Decode tries where the pre-check's evidence is
// strong, in this order: each stage the one that read the most frames
// no earlier stage read, per millisecond, on the hard frames of four
// generated sets (scenes_test.go at seeds 1501, 77 and 2024, gen_test.go
// at 1502), the scenes counted double. A half-size region comes first: a
// quarter of the pixels, and the 2x2 average takes the noise out; the
// tilted-code search on the blurred, stretched region third, and on the
// blurred region (stretching breaks the finder rings of some) fourth:
// that one read one more hard scene in 60 at seeds 2 and 3. The
// tilted-code search over the whole frame comes last, where everything
// else failed: gozxing's binarizer averages blocks of 8 pixels, which lie
// elsewhere on the frame than on a region cut at any pixel, and on one
// blurred gen frame (seed 1502) the frame's blocks kept the finder rings
// that the region's broke.
var strongPlan = []stage{
	{StepHalf, inRegion}, {StepGlobal, inRegion}, {StepStretchPerspective, inRegion}, {StepBlurPerspective, inRegion}, {StepHalf, inFrame},
	{StepBlur, inRegion}, {StepPlain, inRegion}, {StepBlurHarder, inFrame}, {StepBlurPerspective, inFlipped},
	{StepGlobal, inFrame}, {StepStretch, inRegion}, {StepInvert, inFrame}, {StepDouble, inRegion},
	{StepPerspective, inFrame},
}

// weakPlan is what a frame with weak evidence gets: one threshold for
// the region (its histogram is all it costs), then the tilted-code
// search on it, which gozxing's finder ends at once on most regions
// without a code. On the weak frames of four generated sets it read five
// hard codes where the two one-threshold attempts read one, for 0.4 ms
// a frame without a code (0.8 at most).
var weakPlan = []stage{{StepGlobal, inRegion}, {StepPerspective, inRegion}}

// weakRegion is the largest region, in pixels, a frame with weak
// evidence gets weakPlan for: the codes behind weak evidence on the
// generated frames were small (their regions 480 pixels across at most),
// and big finder-like spots on such a frame are clutter.
const weakRegion = 520 * 520

// moderateDense is the count of sightings under which strong evidence
// is only moderate: a frame without a code reaches it now and then (1
// in 150 on the generated frames), and its region then spans most of
// the frame. The region of a code a frame with moderate evidence showed
// was 750 pixels across at most; wider than moderateSide, such spots
// are clutter, and strongPlan on them cost up to 75 ms.
const moderateDense, moderateSide = 12, 800

// smallPlan is what an image no larger than smallImage gets, whatever
// the evidence: photos and screenshots of a code, where every attempt is
// cheap.
var smallPlan = append([]stage{{StepPlain, inRegion}, {StepPlain, inFlipped}, {StepPlain, inFrame}}, strongPlan...)

// smallImage is the most pixels of an image that gets smallPlan; a
// webcam frame is larger.
const smallImage = 640 * 480

// Decode reads f with the full effort, for a single image: where the
// finder pre-check sees a code, the stages of a plan (strongPlan,
// weakPlan or smallPlan, and after a second scan relookPlan or latePlan:
// see decode) until one reads it; an Aztec code (EU health
// certificates may come as one) last, where a bullseye was seen.
func (d *Decoder) Decode(f *Frame) (string, error) {
	if !f.valid() {
		return "", fmt.Errorf("frame of %dx%d with stride %d and %d bytes is not a picture", f.Width, f.Height, f.Stride, len(f.Y))
	}
	y, w, h := d.pack(f), f.Width, f.Height
	if s, ok := d.look(y, w, h); ok {
		if text, ok := d.decode(y, w, h, s); ok {
			return text, nil
		}
	}
	return d.aztec(y, w, h)
}

// decode tries the plan for where the pre-check saw s (see planFor).
// Where its evidence is weak, or its spots too far apart, relook scans
// again: a blurred code's finder patterns fail the pre-check's test of
// each run, and the spots that passed it may be clutter beside the code.
// Where that scan sees strong evidence, over a region a code fills,
// relookPlan is tried on its region instead. Where strongPlan fails, the
// tilted-code search runs once more on the region relook points at.
func (d *Decoder) decode(y []byte, w, h int, s sighting) (string, bool) {
	plan := planFor(w, h, s)
	strong := isStrong(plan)
	if !strong && w*h > smallImage {
		if s2, ok := d.relook(y, w, h); ok && s2.worthRelookPlan(w, h) {
			return d.run(relookPlan, y, w, h, s2)
		}
		d.finders.found = append(d.finders.found[:0], d.strict...) // plan cuts look's spots
	}
	if text, ok := d.run(plan, y, w, h, s); ok || !strong {
		return text, ok
	}
	if s2, ok := d.relook(y, w, h); ok {
		return d.run(latePlan, y, w, h, s2)
	}
	return "", false
}

// isStrong reports whether plan is strongPlan.
func isStrong(plan []stage) bool { return len(plan) > 0 && &plan[0] == &strongPlan[0] }

// relookDense and relookSide are the least evidence (see densest) and
// region side in pixels that relook's scan must show for relookPlan to
// be tried. On the scenes at seeds 1501, 77, 2024 and 7 and the gen
// frames at 1502, 30 frames with weak evidence held a code that some
// stage of strongPlan read on the rescan's region; 24 of those that the
// first four stages read had both, and 7 of 300 frames without a code.
const relookDense, relookSide = 12, 400

// worthRelookPlan reports whether relook's sighting s, on a w x h plane,
// is the evidence relookPlan is tried on.
func (s sighting) worthRelookPlan(w, h int) bool {
	return isStrong(planFor(w, h, s)) && s.dense >= relookDense && min(s.region.Dx(), s.region.Dy()) >= relookSide
}

// relookPlan is what a frame whose pre-check evidence was weak gets where
// relook sees strong evidence: one threshold, then the two tilted-code
// searches that read nearly all of such frames that any stage read.
var relookPlan = []stage{{StepGlobal, inRegion}, {StepStretchPerspective, inRegion}, {StepBlurPerspective, inRegion}}

// latePlan is what a frame gets where strongPlan failed: its tilted-code
// searches again, on relook's region, which a blurred code's finder
// patterns place better, and the blurred one in the other polarity,
// since relook's spots vote on that again.
var latePlan = []stage{{StepStretchPerspective, inRegion}, {StepBlurPerspective, inRegion}, {StepBlurPerspective, inFlipped}}

// planFor is the plan for a w x h image where the pre-check saw s.
func planFor(w, h int, s sighting) []stage {
	switch {
	case w*h <= smallImage:
		return smallPlan
	case s.dense < weakDense && s.region.Dx()*s.region.Dy() > weakRegion,
		s.dense < moderateDense && max(s.region.Dx(), s.region.Dy()) > moderateSide:
		return nil // spots too far apart for the codes such frames show
	case s.dense < weakDense:
		return weakPlan
	}
	return strongPlan
}

// run tries the stages of plan on the plane y (w x h) where the
// pre-check saw s, until one reads the code.
func (d *Decoder) run(plan []stage, y []byte, w, h int, s sighting) (string, bool) {
	held := inFrame // what the region buffer holds: inRegion, inFlipped, or nothing yet
	for _, st := range plan {
		if st.where == inFrame {
			if text, ok := d.try(st.step, y, w, h); ok {
				return text, true
			}
			continue
		}
		if held != st.where {
			s2 := s
			s2.inverted = s.inverted != (st.where == inFlipped)
			d.cut(y, w, s2)
			held = st.where
		}
		if text, ok := d.tryRegion(st.step, w, h, s.region); ok {
			return text, true
		}
	}
	return "", false
}

// aztec reads an Aztec code where the scan saw its bullseye: the region
// around each of the first bullseyes (the Aztec detector starts from the
// middle of what it is given), then, for an image no larger than a
// photo of a code usually is, the whole of it. A frame without a
// bullseye skips the Aztec reader, the most costly step left.
func (d *Decoder) aztec(y []byte, w, h int) (string, error) {
	n := min(d.finders.bullseyes, len(d.finders.bull))
	for _, b := range d.finders.bull[:n] {
		// The largest Aztec symbol is 151 modules across; a pass on a
		// phone is far smaller in a webcam's frame.
		half := min(int(80*b.module), 160)
		r := image.Rect(int(b.x)-half, int(b.y)-half, int(b.x)+half, int(b.y)+half).Intersect(image.Rect(0, 0, w, h))
		if r.Dx() < 15 || r.Dy() < 15 {
			continue
		}
		d.region = crop(d.region, y, w, r)
		if text, ok := d.tryRegion(StepAztec, w, h, r); ok {
			return text, nil
		}
	}
	if n > 0 && w*h <= 640*480 {
		if text, ok := d.try(StepAztec, y, w, h); ok {
			return text, nil
		}
	}
	return "", ErrNoCode
}

// DecodeLive reads one frame of a stream within a bounded budget: the
// region of the last hit (while it is recent, and the pre-check sees a
// spot there of about the hit's module size); then, only where the
// finder pre-check sees a code, the plain attempt on that part of the
// frame and one of liveSteps, a different one each frame (where the
// evidence is weak, one stage of weakPlan instead). A code held in
// front of the camera is seen on many frames, so every step gets its turn
// within len(liveSteps) frames (under half a second at 30 fps). A frame
// with no code costs the pre-check alone.
func (d *Decoder) DecodeLive(f *Frame) (string, error) {
	if !f.valid() {
		return "", fmt.Errorf("frame of %dx%d with stride %d and %d bytes is not a picture", f.Width, f.Height, f.Stride, len(f.Y))
	}
	d.Frames++
	y, w, h := d.pack(f), f.Width, f.Height
	s, seen := d.look(y, w, h)
	if d.roiLeft > 0 {
		d.roiLeft--
		// The region of the last hit, where the pre-check saw a spot
		// there of about the hit's module size: the code still in view,
		// or the next one held where it was, though blur may hide its
		// finder patterns from the count. Where it saw none, the code has
		// gone (clutter of other sizes is not it), and the frame costs
		// the pre-check alone.
		if d.finders.anyIn(d.roi, d.roiModule) {
			d.roiTries++
			if text, ok := d.try(StepROI, y, w, h); ok {
				return text, nil
			}
		}
	}
	if !seen {
		return "", ErrNoCode
	}
	if s.dense < weakDense && w*h > smallImage {
		// Weak evidence: what most frames without a code that get past
		// the scan have. One cheap stage, a different one each frame.
		d.next++
		return d.runOr(planFor(w, h, s), d.next, y, w, h, s)
	}
	k := d.cutLive(y, w, s)
	if text, ok := d.tryRegionAt(StepPlain, w, h, s.region, k); ok {
		return text, nil
	}
	d.next++
	ls := liveSteps[d.next%len(liveSteps)]
	if ls.step == StepDouble && s.module >= doubleMinModule {
		// Doubling is for modules under 3 pixels: on a sighting of
		// larger ones it reads nothing the others do not, at four times
		// the region's cost (a whole frame's clutter once took 19 ms).
		d.next++
		ls = liveSteps[d.next%len(liveSteps)]
	}
	switch {
	case ls.frame && k == 2:
		return d.trySmaller(ls.step, y, w, h)
	case ls.frame:
		return d.tryOr(ls.step, y, w, h)
	case ls.flip:
		s.inverted = !s.inverted
		k = d.cutLive(y, w, s)
	}
	if text, ok := d.tryRegionAt(ls.step, w, h, s.region, k); ok {
		return text, nil
	}
	return "", ErrNoCode
}

// halfMinModule is the module size, as the pre-check measures it, from
// which DecodeLive reads the region at half size: its modules are still
// 4 pixels or more there, which every step reads, and a quarter of the
// pixels cost a quarter. Such a sighting spans most of a 1280x720 frame
// (a code of 49 modules of 8 pixels is 392 across, its region 800), and
// on a frame without a code it is clutter: a chequered shirt.
const halfMinModule = 8

// cutLive is cut, for DecodeLive: the region at half size (2x2 means)
// where the sighting's modules are halfMinModule or more, the spots
// with it. It returns the region's scale: 1, or 2 at half size.
func (d *Decoder) cutLive(y []byte, w int, s sighting) int {
	d.cut(y, w, s)
	if s.module < halfMinModule {
		return 1
	}
	rw, rh := s.region.Dx(), s.region.Dy()
	d.halfRegion = grow(d.halfRegion, (rw/2)*(rh/2))
	halve(d.halfRegion, d.region, rw, rh)
	d.region, d.halfRegion = d.halfRegion, d.region
	for i := range d.spots {
		d.spots[i].x, d.spots[i].y, d.spots[i].module = d.spots[i].x/2, d.spots[i].y/2, d.spots[i].module/2
	}
	return 2
}

// trySmaller is a frame step beside a sighting read at half size. Such
// a sighting spans most of the frame, so what the step is for, a code
// its region missed, is a smaller one whose spots its own outnumbered
// (clutter's: a chequered shirt's). The step reads the sighting of the
// spots read at full size instead of the whole frame, which behind a
// shirt cost 2.7 ms, over half the frame's budget; where they make none,
// the frame holds no other code the pre-check sees.
func (d *Decoder) trySmaller(st Step, y []byte, w, h int) (string, error) {
	d.smaller = d.smaller[:0]
	for _, f := range d.finders.found {
		if f.module < halfMinModule {
			d.smaller = append(d.smaller, f)
		}
	}
	s, ok := sight(d.smaller, w, h)
	if !ok {
		return "", ErrNoCode
	}
	d.cut(y, w, s)
	if text, ok := d.tryRegion(st, w, h, s.region); ok {
		return text, nil
	}
	return "", ErrNoCode
}

// doubleMinModule is the module size, as the pre-check measures it, from
// which DecodeLive skips StepDouble: a pixel over what it is for, since
// blur makes the measure err.
const doubleMinModule = 4

// liveStep is the second attempt a live frame gets: a region step, the
// region in the other polarity, or a step over the whole frame (in case
// the region missed the code).
type liveStep struct {
	step  Step
	flip  bool
	frame bool
}

// liveSteps are taken in turn, one a frame.
var liveSteps = func() []liveStep {
	var out []liveStep
	for _, s := range regionSteps[1:] {
		out = append(out, liveStep{step: s})
	}
	return append(out, liveStep{step: StepPlain, flip: true}, liveStep{step: StepPlain, frame: true}, liveStep{step: StepGlobal, frame: true})
}()

// runOr runs stage i (modulo its length) of plan, with ErrNoCode for a
// miss or an empty plan.
func (d *Decoder) runOr(plan []stage, i int, y []byte, w, h int, s sighting) (string, error) {
	if len(plan) == 0 {
		return "", ErrNoCode
	}
	if text, ok := d.run(plan[i%len(plan):][:1], y, w, h, s); ok {
		return text, nil
	}
	return "", ErrNoCode
}

// tryOr is try with ErrNoCode for a miss.
func (d *Decoder) tryOr(s Step, y []byte, w, h int) (string, error) {
	if text, ok := d.try(s, y, w, h); ok {
		return text, nil
	}
	return "", ErrNoCode
}

// cut copies the sighting's region of the plane y (w wide) into the
// region buffer, inverted when the code is light on dark, so that every
// region step reads dark modules on light.
func (d *Decoder) cut(y []byte, w int, s sighting) {
	d.region = crop(d.region, y, w, s.region)
	d.spots = d.spots[:0]
	for _, f := range d.finders.found {
		if f.inverted == s.inverted && image.Pt(int(f.x), int(f.y)).In(s.region) {
			f.x, f.y = f.x-float64(s.region.Min.X), f.y-float64(s.region.Min.Y)
			d.spots = append(d.spots, f)
		}
	}
	if s.inverted {
		for i, v := range d.region {
			d.region[i] = 255 - v
		}
	}
}

// tryRegion runs step s on the region buffer that cut filled with r of
// the w x h frame; a hit is remembered in frame coordinates.
func (d *Decoder) tryRegion(s Step, w, h int, r image.Rectangle) (string, bool) {
	return d.tryRegionAt(s, w, h, r, 1)
}

// tryRegionAt is tryRegion on a region buffer at 1/k of r's size (see
// cutLive).
func (d *Decoder) tryRegionAt(s Step, w, h int, r image.Rectangle, k int) (string, bool) {
	at := steps[s](d, d.region, r.Dx()/k, r.Dy()/k)
	if at.res == nil {
		return "", false
	}
	d.Hits[s]++
	d.remember(at.res.GetResultPoints(), max(at.scale, 1)*k, at.off.Mul(k).Add(r.Min), w, h)
	return at.res.GetText(), true
}
