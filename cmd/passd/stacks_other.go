//go:build !unix

package main

// keepStacks does nothing where the process cannot run again in place:
// passd serve shrinks goroutine stacks as the runtime does by default
// (see stacks_unix.go).
func keepStacks() {}
