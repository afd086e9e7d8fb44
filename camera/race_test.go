//go:build race

package camera

// raceOn makes the frame-rate tests use fewer frames: the race detector
// slows decoding several times over.
const raceOn = true
