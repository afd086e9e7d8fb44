package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// writeCode writes text as a QR code image (PNG or JPEG by the name).
func writeCode(t *testing.T, name, text string) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	if text != "" {
		bits, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 260, 260, nil)
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < 260; y++ {
			for x := 0; x < 260; x++ {
				v := uint8(250)
				if bits.Get(x, y) {
					v = 20
				}
				img.Pix[(y+20)*img.Stride+x+70] = v
			}
		}
	}
	fh, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if strings.HasSuffix(name, ".jpg") {
		err = jpeg.Encode(fh, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(fh, img)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func runDecodeLines(t *testing.T, args ...string) ([]decodeLine, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := dispatch(append([]string{"decode"}, args...), strings.NewReader(""), &out, &errOut)
	var lines []decodeLine
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l decodeLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines, code, errOut.String()
}

func TestDecodeCommand(t *testing.T) {
	dir := t.TempDir()
	text := "PD1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE$VK G2EP4J0B3KL6QM5/OVGA/MAT%ZSHZA0V5G8"
	pngName, jpgName := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.jpg")
	blank := filepath.Join(dir, "blank.png")
	writeCode(t, pngName, text)
	writeCode(t, jpgName, text)
	writeCode(t, blank, "")
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(notImage, []byte("hello"), 0o644)

	t.Run("codes", func(t *testing.T) {
		lines, code, _ := runDecodeLines(t, pngName, jpgName, blank)
		if code != exitOK {
			t.Errorf("exit %d, want %d", code, exitOK)
		}
		want := []decodeLine{{File: pngName, Text: text}, {File: jpgName, Text: text}, {File: blank, Error: "no QR code found"}}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d", len(lines), len(want))
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Errorf("line %d = %+v, want %+v", i, lines[i], want[i])
			}
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		lines, code, _ := runDecodeLines(t, filepath.Join(dir, "missing.png"), notImage, pngName)
		if code != exitFail {
			t.Errorf("exit %d, want %d", code, exitFail)
		}
		if len(lines) != 3 || lines[0].Error == "" || lines[1].Error == "" || lines[2].Text != text {
			t.Errorf("lines %+v", lines)
		}
	})
	t.Run("usage", func(t *testing.T) {
		_, code, errOut := runDecodeLines(t)
		if code != exitUsage || !strings.Contains(errOut, "usage") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}

// TestDecodeCommandDCC reads the EU DCC test codes in testdata/dcc and compares
// each with the PREFIX of its case file.
func TestDecodeCommandDCC(t *testing.T) {
	pngs, _ := filepath.Glob("testdata/dcc/*/png/*.png")
	if len(pngs) == 0 {
		t.Skip("no EU DCC test codes in testdata/dcc")
	}
	lines, code, errOut := runDecodeLines(t, pngs...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checked := 0
	for _, l := range lines {
		base := strings.TrimSuffix(filepath.Base(l.File), ".png")
		if l.Error != "" {
			t.Errorf("%s: %s", l.File, l.Error)
			continue
		}
		country := filepath.Dir(filepath.Dir(l.File))
		cases, _ := filepath.Glob(filepath.Join(country, "2DCode", "*", strings.TrimSuffix(strings.TrimSuffix(base, "_qr"), "_aztec")+".json"))
		if len(cases) == 0 {
			if !strings.HasPrefix(l.Text, "HC1:") {
				t.Errorf("%s: read %.20q, want an HC1 text", l.File, l.Text)
			}
			continue
		}
		raw, err := os.ReadFile(cases[0])
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ PREFIX string }
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", cases[0], err)
		}
		if l.Text != c.PREFIX {
			t.Errorf("%s: read %.30q, want %.30q", l.File, l.Text, c.PREFIX)
		}
		checked++
	}
	if checked < len(pngs)/2 {
		t.Errorf("only %d of %d images had a case to compare with", checked, len(pngs))
	}
}
