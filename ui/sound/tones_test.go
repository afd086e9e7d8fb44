package sound_test

import (
	"encoding/binary"
	"testing"
	"time"

	"passdesk/ui/sound"
)

func TestTones(t *testing.T) {
	for _, ok := range []bool{true, false} {
		pcm := sound.Tone(ok)
		if len(pcm)%2 != 0 {
			t.Fatalf("Tone(%v): odd length %d", ok, len(pcm))
		}
		dur := time.Duration(len(pcm)/2) * time.Second / sound.SampleRate
		if dur < 200*time.Millisecond || dur > time.Second {
			t.Errorf("Tone(%v) lasts %v, want a short beep", ok, dur)
		}
		var peak int16
		for i := 0; i+1 < len(pcm); i += 2 {
			v := int16(binary.LittleEndian.Uint16(pcm[i:]))
			peak = max(peak, v, -v)
		}
		if peak < 8000 {
			t.Errorf("Tone(%v) peak %d: too quiet", ok, peak)
		}
		// Faded in: no click at the start.
		if first := int16(binary.LittleEndian.Uint16(pcm)); first > 100 || first < -100 {
			t.Errorf("Tone(%v) starts at %d", ok, first)
		}
	}
	if string(sound.Tone(true)) == string(sound.Tone(false)) {
		t.Error("success and failure tones are the same")
	}
}

func TestNilPlayerIsSilent(t *testing.T) {
	var p *sound.Player
	p.Play(true) // must not panic
}

func TestPlayWithoutDevice(t *testing.T) {
	logged := make(chan string, 1)
	p := sound.New(func(format string, args ...any) {
		select {
		case logged <- format:
		default:
		}
	})
	p.Play(true)
	p.Play(false)
}
