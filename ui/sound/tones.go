// Package sound makes PassDesk's verdict tones and plays them through the
// audio device (github.com/ebitengine/oto/v3). The tones are generated as
// PCM, so there are no sound files to ship; with no audio device the kiosk
// stays silent and says so once in its log.
package sound

import (
	"encoding/binary"
	"math"
	"time"
)

// PCM format of the tones: mono, signed 16-bit little-endian.
const (
	SampleRate = 44100
	Channels   = 1
)

// note is one beep of a tone.
type note struct {
	freq float64
	dur  time.Duration
	gap  time.Duration // silence after it
}

var (
	// success: two rising notes, bright and short.
	successNotes = []note{{880, 110 * time.Millisecond, 20 * time.Millisecond}, {1318.5, 160 * time.Millisecond, 0}}
	// failure: two low, longer notes, easy to tell apart from success
	// even for someone who does not see the screen.
	failureNotes = []note{{311, 220 * time.Millisecond, 70 * time.Millisecond}, {233, 300 * time.Millisecond, 0}}
)

// Tone returns the PCM of the success tone when ok, else the failure tone.
func Tone(ok bool) []byte {
	notes := failureNotes
	if ok {
		notes = successNotes
	}
	var pcm []byte
	for _, n := range notes {
		pcm = appendNote(pcm, n)
	}
	return pcm
}

// appendNote renders a sine with a 10 ms fade in and out (no clicks) and
// a third harmonic for the failure's buzzier sound.
func appendNote(pcm []byte, n note) []byte {
	samples := int(n.dur.Seconds() * SampleRate)
	fade := int(0.01 * SampleRate)
	for i := range samples {
		t := float64(i) / SampleRate
		v := math.Sin(2 * math.Pi * n.freq * t)
		if n.freq < 500 {
			v = 0.8*v + 0.2*math.Sin(2*math.Pi*3*n.freq*t)
		}
		env := 1.0
		if i < fade {
			env = float64(i) / float64(fade)
		} else if samples-i < fade {
			env = float64(samples-i) / float64(fade)
		}
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(v*env*0.5*math.MaxInt16)))
	}
	gap := int(n.gap.Seconds() * SampleRate)
	return append(pcm, make([]byte, 2*gap)...)
}
