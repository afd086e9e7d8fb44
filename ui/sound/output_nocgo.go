//go:build !cgo && linux

package sound

import "errors"

// openOutput reports that this build has no audio: oto needs cgo (ALSA)
// on Linux.
func openOutput() (output, error) {
	return nil, errors.New("this build has no audio support (built without cgo)")
}
