package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// buildPassd builds passd into the test's temporary folder and returns
// its path; the tests that need one skip under -short.
func buildPassd(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs passd serve")
	}
	bin := filepath.Join(t.TempDir(), "passd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServe runs bin serve on a loopback port with args after it and
// env added to the environment, and waits until it says where it
// listens. It returns the process and its URL; stop interrupts it and
// waits, and runs at the test's end when not called before.
func startServe(t *testing.T, bin string, env []string, args ...string) (p *os.Process, url string, stop func()) {
	t.Helper()
	srv := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	srv.Env = append(os.Environ(), env...)
	stderr, _ := srv.StderrPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			srv.Process.Signal(os.Interrupt)
			srv.Wait()
		}
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for url == "" && sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			url = "http://" + m[1]
		}
	}
	if url == "" {
		t.Fatal("passd serve did not say where it listens")
	}
	go io.Copy(io.Discard, stderr)
	return srv.Process, url, stop
}
