//go:build cgo || !linux

package sound

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ebitengine/oto/v3"
)

type otoOutput struct {
	ctx *oto.Context
}

// openOutput opens the default audio device; oto allows one per process.
func openOutput() (output, error) {
	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   SampleRate,
		ChannelCount: Channels,
		Format:       oto.FormatSignedInt16LE,
	})
	if err != nil {
		return nil, fmt.Errorf("opening the audio device: %w", err)
	}
	<-ready
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audio device: %w", err)
	}
	return &otoOutput{ctx: ctx}, nil
}

// play starts the tone and holds its player until it has finished: oto
// stops a player that is garbage-collected.
func (o *otoOutput) play(pcm *bytes.Reader) {
	pl := o.ctx.NewPlayer(pcm)
	pl.Play()
	go func() {
		for pl.IsPlaying() {
			time.Sleep(20 * time.Millisecond)
		}
	}()
}
