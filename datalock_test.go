package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passdesk/app"
)

// Two kiosks on one data directory (the autostart entry's and one opened
// by hand, say) would both record visitors, upload, and end each other's
// outages as left by a stopped kiosk. The second one is refused, saying
// which process holds the directory, and opens once the first is gone.
func TestOneKioskADataDirectory(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.Camera = t.TempDir(), cameraStdin
	first, err := openKiosk(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := openKiosk(context.Background(), cfg)
	if err == nil {
		second.Close()
		first.Close()
		t.Fatal("a second kiosk opened the data directory the first holds")
	}
	var se *app.StartError
	if !errors.As(err, &se) || se.Problem != app.StartRunning || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Errorf("second kiosk: %v, want %q naming process %d", err, app.StartRunning, os.Getpid())
	}
	if got := startError(err).Problem; got != app.StartRunning {
		t.Errorf("the window would say %q", got)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// A kiosk that fails to open after taking the hold (here its HC1
	// trust file) lets go of it, or the window's Retry would find itself
	// in the way.
	bad := cfg
	bad.DCCTrust = filepath.Join(t.TempDir(), "no-such-file.json")
	if k, err := openKiosk(context.Background(), bad); err == nil {
		k.Close()
		t.Fatal("a kiosk opened with a missing HC1 trust file")
	}
	again, err := openKiosk(context.Background(), cfg)
	if err != nil {
		t.Fatalf("after the first closed and one failed to open: %v", err)
	}
	again.Close()
}

// The hold dies with its process: a kiosk killed (SIGKILL, a power cut)
// leaves no lock behind that would keep the next one shut.
func TestKilledKioskLetsGoOfItsDataDirectory(t *testing.T) {
	exe := buildPassdesk(t)
	dir := t.TempDir()
	cmd := exec.Command(exe, "run", "--headless", "--camera", "stdin", "--data", dir,
		"--config", filepath.Join(t.TempDir(), "none.toml"), "--venue", "cafe-42", "--kiosk", "door-1")
	stdin, err := cmd.StdinPipe() // held open: the kiosk runs until killed
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.Camera = dir, cameraStdin
	// The kiosk writes its process ID once it holds the directory; until
	// then, trying to open a kiosk here could win the race.
	pid := strconv.Itoa(cmd.Process.Pid)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, lockName))
		if strings.TrimSpace(string(b)) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the running kiosk never held %s", dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if k, err := openKiosk(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "process "+pid) {
		if k != nil {
			k.Close()
		}
		t.Fatalf("beside the running kiosk: %v, want it refused naming process %s", err, pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if pid, ok := dataHolder(dir); ok {
		t.Errorf("doctor would name process %d, killed, as the kiosk running", pid)
	}
	k, err := openKiosk(context.Background(), cfg)
	if err != nil {
		t.Fatalf("after the kiosk was killed: %v", err)
	}
	k.Close()
}

// doctor says whether a kiosk runs on the data directory, without ever
// taking the hold (a kiosk starting meanwhile must not find it taken).
func TestDoctorSaysWhetherAKioskRuns(t *testing.T) {
	dir := t.TempDir()
	doctor := func() string {
		var out, errb bytes.Buffer
		dispatch([]string{"doctor", "--config", filepath.Join(t.TempDir(), "none.toml"), "--data", dir, "--camera", "none"}, nil, &out, &errb)
		return out.String()
	}
	if got := doctor(); !strings.Contains(got, "kiosk       none running") {
		t.Errorf("with no kiosk:\n%s", got)
	}
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.Camera = dir, cameraStdin
	k, err := openKiosk(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doctor(), "running on this data directory as process "+strconv.Itoa(os.Getpid()); !strings.Contains(got, want) {
		t.Errorf("beside a kiosk:\n%s\nwant %q", got, want)
	}
	k.Close()
	if got := doctor(); !strings.Contains(got, "none running") {
		t.Errorf("after the kiosk closed (its file left behind):\n%s", got)
	}
}
