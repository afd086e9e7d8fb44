package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWindowTyped runs the built kiosk full screen under Xvfb, on bare X
// (a kiosk PC often has no window manager) and under a window manager,
// and types into it as a keyboard-wedge scanner and a person do: a scan
// plus Enter must bring up the verdict, and a PIN typed into the keypad
// plus Enter must open the manager's area. Each is typed once: a lost
// keystroke fails the test instead of being retried away.
func TestWindowTyped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it under Xvfb")
	}
	needTools(t, "Xvfb", "import", "xdotool")
	bin := buildPassdesk(t)
	for _, c := range []struct{ name, wm string }{{"bare X", ""}, {"window manager", "matchbox-window-manager"}} {
		t.Run(c.name, func(t *testing.T) {
			if c.wm != "" {
				needTools(t, c.wm)
			}
			typeIntoKiosk(t, bin, c.wm)
		})
	}
}

func typeIntoKiosk(t *testing.T, bin, wm string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const width, height = 1024, 768
	display := startXvfb(t, ctx, fmt.Sprintf("%dx%dx24", width, height))
	// The C.UTF-8 locale of a minimal install, and no sound card: stderr
	// must still carry only PassDesk's own lines.
	env := append(withoutLocale(os.Environ()), "DISPLAY="+display, "LANG=C.UTF-8")
	if wm != "" {
		w := exec.CommandContext(ctx, wm)
		w.Env = env
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = w.Process.Kill()
			_ = w.Wait()
		})
	}
	dir := t.TempDir()
	klog, _ := startKiosk(t, ctx, bin, dir, env, "--camera", "none", "--lang", "en")
	x := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v\n%s", args, err, out)
		}
	}
	shot := filepath.Join(dir, "shot.png")
	// look waits until the screen shows what ok sees, and fails with what.
	var s screenShares // the latest screen seen
	look := func(what string, within time.Duration, ok func(s screenShares) bool) {
		t.Helper()
		for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			cmd := exec.CommandContext(ctx, "import", "-display", display, "-window", "root", shot)
			if cmd.Run() != nil {
				continue
			}
			if s = screenOf(shot); ok(s) {
				return
			}
		}
		if d := os.Getenv("PASSDESK_SHOTS"); d != "" {
			b, _ := os.ReadFile(shot)
			_ = os.WriteFile(filepath.Join(d, "failed.png"), b, 0o644)
		}
		t.Fatalf("%s: not seen within %v (screen %+v)\nkiosk log:\n%s", what, within, s, klog.String())
	}

	look("the full-screen scan screen", 60*time.Second, func(s screenShares) bool { return s.dark > 0.5 })
	x("type", "--delay", "8", "PD1:NOT A PASS")
	x("key", "Return")
	look("the verdict of the typed scan", 10*time.Second, func(s screenShares) bool { return s.red > 0.4 })
	look("the verdict clearing itself", 15*time.Second, func(s screenShares) bool { return s.red < 0.05 && s.dark > 0.5 })

	// The Manager button sits in the bottom-right corner of the full screen;
	// the keypad pop-up is light, in the middle of a dimmed scan screen.
	x("mousemove", fmt.Sprint(width-60), fmt.Sprint(height-23), "click", "1")
	look("the PIN keypad", 10*time.Second, func(s screenShares) bool { return s.middle > 0.6 })
	x("type", "--delay", "20", demoManagerPIN)
	x("key", "Return")
	look("the manager's area after the typed PIN", 15*time.Second, func(s screenShares) bool { return s.dark < 0.05 && s.light > 0.5 })

	for _, noise := range []string{"Fyne error", "ALSA lib"} {
		if strings.Contains(klog.String(), noise) {
			t.Errorf("the kiosk's stderr carries %q:\n%s", noise, klog.String())
		}
	}
}

// screenShares are the shares of a screenshot's pixels in the verdict red,
// the scan screen's dark preview and the light background of the rest;
// middle is the light share of the screen's middle 300x200.
type screenShares struct{ red, dark, light, middle float64 }

func screenOf(path string) screenShares {
	f, err := os.Open(path)
	if err != nil {
		return screenShares{}
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return screenShares{} // caught mid-write; the next one will do
	}
	b := img.Bounds()
	var s screenShares
	var nMiddle float64
	cx, cy := (b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if x >= cx-150 && x < cx+150 && y >= cy-100 && y < cy+100 {
				nMiddle++
				if r > 0xd0 && g > 0xd0 && bl > 0xd0 {
					s.middle++
				}
			}
			switch {
			case near(r, 0xb3) && near(g, 0x26) && near(bl, 0x1e):
				s.red++
			case near(r, 0x20) && near(g, 0x24) && near(bl, 0x28):
				s.dark++
			case r > 0xe0 && g > 0xe0 && bl > 0xe0:
				s.light++
			}
		}
	}
	n := float64((b.Dx() + 1) / 2 * ((b.Dy() + 1) / 2))
	s.red, s.dark, s.light, s.middle = s.red/n, s.dark/n, s.light/n, s.middle/nMiddle
	return s
}
