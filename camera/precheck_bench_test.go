package camera

import (
	"bytes"
	"encoding/gob"
	"os"
	"sync"
	"testing"
)

// precheckNone are the luminance planes of the frames without a code of
// the scenes (seed 1501) and gen (seed 1502) sets, 60 of each, as
// BenchmarkDecodeVsZXing decodes them; made once, the generators being
// slow. PRECHECK_PLANES=file keeps them in file between runs.
var precheckNone = sync.OnceValue(func() map[string][][]byte {
	cache := os.Getenv("PRECHECK_PLANES")
	if b, err := os.ReadFile(cache); err == nil && cache != "" {
		var sets map[string][][]byte
		if gob.NewDecoder(bytes.NewReader(b)).Decode(&sets) == nil {
			return sets
		}
	}
	planes := func(frames []sceneFrame) [][]byte {
		var out [][]byte
		for _, fr := range frames {
			if fr.tier != tierNone {
				continue
			}
			var f Frame
			if err := LumaJPEG(fr.jpeg, 1, &f); err != nil {
				panic(err)
			}
			out = append(out, append([]byte(nil), f.Y[:f.Width*f.Height]...))
		}
		return out
	}
	sets := map[string][][]byte{"gen-none": planes(genAsJPEG(1502, 60)), "scenes-none": planes(sceneFrames(1501, 60))}
	if cache != "" {
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(sets); err == nil {
			os.WriteFile(cache, b.Bytes(), 0o644)
		}
	}
	return sets
})

// BenchmarkPrecheck times look, the finder pre-check, on 1280x720
// frames without a code: what the kiosk decides most frames with.
func BenchmarkPrecheck(b *testing.B) {
	sets := precheckNone()
	for _, name := range []string{"gen-none", "scenes-none"} {
		b.Run(name, func(b *testing.B) {
			planes := sets[name]
			d := NewDecoder()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				d.look(planes[i%len(planes)], 1280, 720)
			}
		})
	}
}
