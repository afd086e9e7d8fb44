package camera

import (
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// benchFrames caches generated frames across benchmarks.
var benchFrames = map[string][]genFrame{}

func framesFor(kinds []string, n, w, h int, seed int64) []genFrame {
	key := fmt.Sprint(kinds, n, w, h, seed)
	if f, ok := benchFrames[key]; ok {
		return f
	}
	f := genFrames(seed, kinds, n, w, h)
	benchFrames[key] = f
	return f
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkDecodeFrame is the live decoder's cost per frame: "first" is a
// code seen for the first time (plain attempt over the whole frame),
// "held" a code that stays in view (the region of the last hit first),
// "none" a frame without a code (plain and one fallback).
func BenchmarkDecodeFrame(b *testing.B) {
	for _, sz := range []Size{{1280, 720}, {640, 480}} {
		code := framesFor([]string{kindEasy}, 8, sz.Width, sz.Height, 100)
		none := framesFor([]string{kindNone}, 8, sz.Width, sz.Height, 101)
		b.Run(sz.String()+"/first", func(b *testing.B) {
			var times []time.Duration
			for i := 0; b.Loop(); i++ {
				f := code[i%len(code)].frame()
				d := NewDecoder()
				t0 := time.Now()
				if _, err := d.DecodeLive(&f); err != nil {
					b.Fatalf("%v not read", code[i%len(code)])
				}
				times = append(times, time.Since(t0))
			}
			b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
		})
		b.Run(sz.String()+"/held", func(b *testing.B) {
			f := code[0].frame()
			d := NewDecoder()
			if _, err := d.DecodeLive(&f); err != nil {
				b.Fatal("not read")
			}
			var times []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := d.DecodeLive(&f); err != nil {
					b.Fatal("not read")
				}
				times = append(times, time.Since(t0))
			}
			b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
		})
		b.Run(sz.String()+"/none", func(b *testing.B) {
			d := NewDecoder()
			var times []time.Duration
			for i := 0; b.Loop(); i++ {
				f := none[i%len(none)].frame()
				t0 := time.Now()
				if text, err := d.DecodeLive(&f); err == nil {
					b.Fatalf("false read %.20q", text)
				}
				times = append(times, time.Since(t0))
			}
			b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
		})
	}
}

// BenchmarkDecodeFull is the full decoder (as `passdesk decode` runs it)
// on easy, hard and empty 1280x720 frames, with the share of codes read.
func BenchmarkDecodeFull(b *testing.B) {
	for _, kinds := range [][]string{{kindEasy}, hardKinds, {kindNone}} {
		name := kinds[0]
		if len(kinds) > 1 {
			name = "hard"
		}
		frames := framesFor(kinds, max(2, 48/len(kinds)), 1280, 720, 102)
		b.Run(name, func(b *testing.B) {
			var times []time.Duration
			read, total, falseReads := 0, 0, 0
			for i := 0; b.Loop(); i++ {
				g := frames[i%len(frames)]
				f := g.frame()
				t0 := time.Now()
				text, err := NewDecoder().Decode(&f)
				times = append(times, time.Since(t0))
				switch {
				case g.text == "" && err == nil:
					falseReads++
				case g.text != "":
					total++
					if err == nil && text == g.text {
						read++
					}
				}
			}
			if total > 0 {
				b.ReportMetric(100*float64(read)/float64(total), "%read")
			} else {
				b.ReportMetric(float64(falseReads), "false-reads")
			}
			b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
		})
	}
}

// BenchmarkZbarimg compares zbarimg (`zbarimg -q --raw`, a process per
// image) with DecodeImage from the same PNG files (file read and PNG
// decoding included) on a sample of easy, hard and empty 1280x720 frames.
// One op is the whole sample; ms-median is per image.
func BenchmarkZbarimg(b *testing.B) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		b.Skip("zbarimg not installed (Debian zbar-tools)")
	}
	frames := framesFor(append([]string{kindEasy, kindNone}, hardKinds...), 2, 1280, 720, 103)
	dir := b.TempDir()
	names := make([]string, len(frames))
	for i, g := range frames {
		names[i] = filepath.Join(dir, fmt.Sprintf("%03d-%s.png", i, g.kind))
		fh, err := os.Create(names[i])
		if err != nil {
			b.Fatal(err)
		}
		if err := png.Encode(fh, g.img); err != nil {
			b.Fatal(err)
		}
		fh.Close()
	}
	score := func(b *testing.B, read func(name string) string) {
		var times []time.Duration
		ok, falseReads, total := 0, 0, 0
		for b.Loop() {
			for i, g := range frames {
				t0 := time.Now()
				text := read(names[i])
				times = append(times, time.Since(t0))
				switch {
				case g.text == "" && text != "":
					falseReads++
				case g.text != "":
					total++
					if text == g.text {
						ok++
					}
				}
			}
		}
		b.ReportMetric(100*float64(ok)/float64(max(total, 1)), "%read")
		b.ReportMetric(float64(falseReads), "false-reads")
		b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
	}
	b.Run("zbarimg", func(b *testing.B) {
		score(b, func(name string) string {
			out, _ := exec.Command(zbar, "-q", "--raw", name).Output()
			return strings.TrimRight(string(out), "\n")
		})
	})
	b.Run("passdesk", func(b *testing.B) {
		score(b, func(name string) string {
			img, err := readImage(name)
			if err != nil {
				b.Fatal(err)
			}
			text, _ := DecodeImage(img)
			return text
		})
	})
}
