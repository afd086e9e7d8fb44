package main

import (
	"bufio"
	"bytes"
	"io"
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
	if testing.Short() {
		t.Skip("builds and runs passd serve")
	}
	bin := filepath.Join(t.TempDir(), "passd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command(bin, "init", "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("passd init: %v\n%s", err, out)
	}
	for _, c := range []struct{ given, want string }{
		{"", "gcshrinkstackoff=1"},
		{"http2client=0", "http2client=0,gcshrinkstackoff=1"},
		{"gcshrinkstackoff=0", "gcshrinkstackoff=0"},
	} {
		srv := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
		srv.Env = append(os.Environ(), "GODEBUG="+c.given)
		stderr, _ := srv.StderrPipe()
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		for sc.Scan() && !strings.Contains(sc.Text(), "msg=serving") {
		}
		go io.Copy(io.Discard, stderr)
		env, err := os.ReadFile("/proc/" + strconv.Itoa(srv.Process.Pid) + "/environ")
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
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
