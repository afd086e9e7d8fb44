package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestGodebugHas(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{
		{"", false},
		{"gcshrinkstackoff=1", true},
		{"gcshrinkstackoff=0", true},
		{"http2client=0, gcshrinkstackoff=0", true},
		{"gcshrinkstackoffx=1", false},
		{"xgcshrinkstackoff=1", false},
		{"gcshrinkstackoff", false},
	} {
		if got := godebugHas(c.v, "gcshrinkstackoff"); got != c.want {
			t.Errorf("godebugHas(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}

// TestServeKeepsStacks: the serving process, the one that answers, runs
// with stack shrinking off, and an operator's own GODEBUG setting wins.
func TestServeKeepsStacks(t *testing.T) {
	bin := buildPassd(t)
	data := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command(bin, "init", "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("passd init: %v\n%s", err, out)
	}
	for _, c := range []struct{ given, want string }{
		{"", "gcshrinkstackoff=1"},
		{"http2client=0", "http2client=0,gcshrinkstackoff=1"},
		{"gcshrinkstackoff=0", "gcshrinkstackoff=0"},
	} {
		p, _, stop := startServe(t, bin, []string{"GODEBUG=" + c.given}, "--data", data)
		env, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/environ")
		stop()
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, e := range bytes.Split(env, []byte{0}) {
			if v, ok := strings.CutPrefix(string(e), "GODEBUG="); ok {
				got = v
			}
		}
		if got != c.want {
			t.Errorf("GODEBUG=%q: serving with GODEBUG=%q, want %q", c.given, got, c.want)
		}
	}
}
