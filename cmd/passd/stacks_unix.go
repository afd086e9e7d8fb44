//go:build unix

package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// keepStacks runs passd serve again in place (the same process, its
// image replaced) with the Go runtime told not to shrink goroutine
// stacks (GODEBUG gcshrinkstackoff=1), unless GODEBUG already sets that
// either way.
//
// A verification needs a few times the smallest stack (JSON, CBOR,
// Ed25519: about 5 KiB, against 2); a connection's goroutine waits for
// its next request with a shallow one,
// and each garbage collection halves the stack of a goroutine that uses
// under a quarter of it. Under overload, with hundreds of connections
// each verified now and then, nearly every verification first grew its
// stack back. In bench-passd's 3x run that cost a 429 about a quarter of
// its service CPU: goodput 0.72 of saturated against 0.79 without the
// shrinking (the means of six and eight runs). A goroutine's stack then
// stays at the most it used, which the connection limits bound.
//
// The runtime reads this setting only at start, and //go:debug does not
// take it; on failure passd serves as it is, and says so.
func keepStacks() {
	cur := os.Getenv("GODEBUG")
	if godebugHas(cur, "gcshrinkstackoff") {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		v := "gcshrinkstackoff=1"
		if cur != "" {
			v = cur + "," + v
		}
		env := []string{"GODEBUG=" + v}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "GODEBUG=") {
				env = append(env, e)
			}
		}
		err = syscall.Exec(exe, os.Args, env) // returns only on failure
	}
	fmt.Fprintf(os.Stderr, "passd: serving with goroutine stacks shrunk as usual (could not run again with GODEBUG=gcshrinkstackoff=1: %v)\n", err)
}

// godebugHas reports whether the GODEBUG value v sets key.
func godebugHas(v, key string) bool {
	for _, kv := range strings.Split(v, ",") {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}
