//go:build !race

package camera

const raceOn = false
