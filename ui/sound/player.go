package sound

import (
	"bytes"
	"sync"
)

// Player plays the verdict tones. Its zero value is silent; New opens the
// audio device in the background so a missing one never delays the kiosk.
type Player struct {
	mu     sync.Mutex
	out    output // nil until the device is open, or when there is none
	logf   func(format string, args ...any)
	tones  [2][]byte
	warned bool
}

// output is the audio device.
type output interface {
	play(pcm *bytes.Reader)
}

// New returns a player that logs through logf (once) when there is no
// audio device.
func New(logf func(format string, args ...any)) *Player {
	p := &Player{logf: logf, tones: [2][]byte{Tone(false), Tone(true)}}
	go func() {
		out, err := openOutput()
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil {
			p.warn(err)
			return
		}
		p.out = out
	}()
	return p
}

// Play sounds the success tone when ok, else the failure tone; silent
// without an audio device.
func (p *Player) Play(ok bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	out := p.out
	p.mu.Unlock()
	if out == nil {
		return
	}
	i := 0
	if ok {
		i = 1
	}
	out.play(bytes.NewReader(p.tones[i]))
}

func (p *Player) warn(err error) {
	if !p.warned && p.logf != nil {
		p.logf("passdesk: no sound: %v", err)
	}
	p.warned = true
}
