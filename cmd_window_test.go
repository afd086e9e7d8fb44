package main

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"passdesk/ui"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w, h int
		ok   bool
	}{
		{"1280x800", 1280, 800, true},
		{"1024x768", 1024, 768, true},
		{"1280", 0, 0, false},
		{"x", 0, 0, false},
		{"10x10", 0, 0, false},
		{"axb", 0, 0, false},
	} {
		w, h, err := parseSize(tc.in)
		if (err == nil) != tc.ok || w != tc.w || h != tc.h {
			t.Errorf("parseSize(%q) = %d, %d, %v", tc.in, w, h, err)
		}
	}
}

func TestWindowFlags(t *testing.T) {
	var stderr bytes.Buffer
	if got := runWindow([]string{"--size", "tiny"}, &stderr); got != exitUsage {
		t.Errorf("--size tiny: exit %d, want %d", got, exitUsage)
	}
	if got := runWindow([]string{"--no-such-flag"}, &stderr); got != exitUsage {
		t.Errorf("unknown flag: exit %d, want %d", got, exitUsage)
	}
	if got := runWindow([]string{"extra"}, &stderr); got != exitUsage {
		t.Errorf("stray argument: exit %d, want %d", got, exitUsage)
	}
}

func TestInstallAutostart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	var stderr bytes.Buffer
	if got := runWindow([]string{"--install-autostart"}, &stderr); got != exitOK {
		t.Fatalf("exit %d: %s", got, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "autostart", "passdesk.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	if !strings.Contains(string(b), "\nExec="+exe+"\n") || !strings.Contains(string(b), "[Desktop Entry]") {
		t.Errorf("autostart entry:\n%s", b)
	}
}

// TestHangulRenders draws two different Hangul phrases with the kiosk's
// theme: a font without Hangul draws both as the same row of boxes.
func TestHangulRenders(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.NewTheme())
	draw := func(s string) image.Image {
		txt := canvas.NewText(s, color.Black)
		txt.TextSize = 40
		w := test.NewTempWindow(t, container.NewCenter(txt))
		w.Resize(fyne.NewSize(400, 100))
		return w.Canvas().Capture()
	}
	admit, deny := draw("입장 가능"), draw("입장 불가")
	if samePixels(admit, deny) {
		t.Fatal("two different Hangul phrases render the same: the font has no Hangul")
	}
	if inked(admit) < 200 {
		t.Fatal("Hangul renders blank")
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return false
			}
		}
	}
	return true
}

// inked counts dark pixels.
func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x4000 {
				n++
			}
		}
	}
	return n
}

// TestWindowSmoke builds the real binary, runs the kiosk under Xvfb with a
// replay camera showing a QR code that is not a pass, and checks from
// screenshots that the red verdict screen appeared with words on it.
func TestWindowSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it under Xvfb")
	}
	needTools(t, "Xvfb", "import")
	dir := t.TempDir()
	bin := buildPassdesk(t)

	frames := filepath.Join(dir, "frames")
	if err := os.Mkdir(frames, 0o755); err != nil {
		t.Fatal(err)
	}
	writeQR(t, filepath.Join(frames, "not-a-pass.png"), "PD1:THIS IS NOT A PASS")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	display := startXvfb(t, ctx, "1024x768x24")
	klog, _ := startKiosk(t, ctx, bin, dir, append(os.Environ(), "DISPLAY="+display, "LANG=ko_KR.UTF-8"),
		"--camera", "replay:"+frames+"@2", "--lang", "ko")

	shot := filepath.Join(dir, "shot.png")
	var red, white float64
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		cmd := exec.CommandContext(ctx, "import", "-display", display, "-window", "root", shot)
		if err := cmd.Run(); err != nil {
			continue // the window may not be mapped yet
		}
		red, white = shares(t, shot)
		if red > 0.4 {
			break
		}
	}
	if red <= 0.4 {
		t.Fatalf("no red verdict screen within a minute (red share %.2f)\nkiosk log:\n%s", red, klog.String())
	}
	// The icon and the words are white on the red: a verdict without
	// words would leave almost none.
	if white < 0.01 {
		t.Errorf("the verdict screen has no words on it (white share %.4f)", white)
	}
	t.Logf("verdict screen: %.0f%% red, %.1f%% white", red*100, white*100)
}

// startXvfb starts an X server on a free display and returns its name.
func startXvfb(t *testing.T, ctx context.Context, screen string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Skipf("cannot start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = x.Process.Kill()
		_ = x.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report its display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start")
	}
	return ""
}

// writeQR writes text as a QR code PNG with a quiet zone.
func writeQR(t *testing.T, path, text string) {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 400, 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, m.GetWidth(), m.GetHeight()))
	for y := range m.GetHeight() {
		for x := range m.GetWidth() {
			if !m.Get(x, y) {
				img.SetGray(x, y, color.Gray{Y: 0xff})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shares returns the share of a screenshot's pixels in the deny red and
// in white.
func shares(t *testing.T, path string) (red, white float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0 // caught mid-write; the next one will do
	}
	b := img.Bounds()
	var nr, nw int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case near(r, 0xb3) && near(g, 0x26) && near(bl, 0x1e):
				nr++
			case r > 0xf0 && g > 0xf0 && bl > 0xf0:
				nw++
			}
		}
	}
	total := float64(b.Dx() * b.Dy())
	return float64(nr) / total, float64(nw) / total
}

func near(v, want uint32) bool { return v+12 >= want && v <= want+12 }
