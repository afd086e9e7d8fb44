package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"passdesk/pass"
)

// built is the passdesk binary the tests that run it share: one build per
// test run, in a folder TestMain removes.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildPassdesk builds the binary once per test run and returns its path.
func buildPassdesk(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "passdesk-test-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "passdesk")
		cmd := exec.Command("go", "build", "-o", built.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("building passdesk: %v\n%s", built.err, built.out)
	}
	return built.path
}

// needTools skips the test when a program it drives is not installed.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make deps-test installs it): %v", tool, err)
		}
	}
}

// startKiosk runs the built kiosk window with demo people, a fresh root key
// and its config and data in dir, and the given environment and extra
// flags; it returns the kiosk's output and a stop function (also run at
// the test's end) that kills it and waits.
func startKiosk(t *testing.T, ctx context.Context, bin, dir string, env []string, flags ...string) (*syncBuffer, func()) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--config", filepath.Join(dir, "config.toml"), "--data", filepath.Join(dir, "data"),
		"--root", pass.EncodeRootKey(pub), "--venue", "smoke", "--kiosk", "k1", "--demo-people"}, flags...)
	kiosk := exec.CommandContext(ctx, bin, args...)
	kiosk.Env = env
	klog := &syncBuffer{} // the kiosk writes while the test reads
	kiosk.Stdout, kiosk.Stderr = klog, klog
	if err := kiosk.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = kiosk.Process.Kill()
			_ = kiosk.Wait()
		})
	}
	t.Cleanup(stop)
	return klog, stop
}
