package camera

import "testing"

func BenchmarkZZLook(b *testing.B) {
	frames := genAsJPEG(1502, 60)
	var planes [][]byte
	var w, h int
	for _, fr := range frames {
		if fr.tier != tierNone {
			continue
		}
		var f Frame
		LumaJPEG(fr.jpeg, 1, &f)
		planes = append(planes, append([]byte(nil), f.Y[:f.Width*f.Height]...))
		w, h = f.Width, f.Height
	}
	d := NewDecoder()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.look(planes[i%len(planes)], w, h)
	}
}
