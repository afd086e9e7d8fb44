package camera

import (
	"runtime"

	"fmt"
	"golang.org/x/sys/unix"
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

// threadCPU is the CPU time the calling OS thread has used: on a shared,
// loaded machine it measures the decoder's work where wall time would
// also count the waits for a core.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// timer measures wall and thread CPU time per op; the goroutine is locked
// to its thread while it runs.
type timer struct {
	wall, cpu []time.Duration
	c0        time.Duration
	start     time.Time
}

func newTimer() *timer {
	runtime.LockOSThread()
	return &timer{}
}

func (t *timer) begin() { t.start, t.c0 = time.Now(), threadCPU() }
func (t *timer) end() {
	t.wall = append(t.wall, time.Since(t.start))
	t.cpu = append(t.cpu, threadCPU()-t.c0)
}

func (t *timer) report(b *testing.B) {
	runtime.UnlockOSThread()
	if len(t.wall) == 0 {
		return
	}
	b.ReportMetric(float64(median(t.wall).Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(median(t.cpu).Microseconds())/1000, "cpu-ms-median")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkDecodeFrame is the live decoder's cost per frame: "first" is a
// code seen for the first time (plain attempt over the whole frame),
// "held" a code that stays in view (the region of the last hit first),
// "none" a frame without a code (the finder pre-check, and what it lets through).
func BenchmarkDecodeFrame(b *testing.B) {
	for _, sz := range []Size{{1280, 720}, {640, 480}} {
		code := framesFor([]string{kindEasy}, 8, sz.Width, sz.Height, 100)
		none := framesFor([]string{kindNone}, 8, sz.Width, sz.Height, 101)
		b.Run(sz.String()+"/first", func(b *testing.B) {
			tm := newTimer()
			for i := 0; b.Loop(); i++ {
				f := code[i%len(code)].frame()
				d := NewDecoder()
				tm.begin()
				_, err := d.DecodeLive(&f)
				tm.end()
				if err != nil {
					b.Fatalf("%v not read", code[i%len(code)])
				}
			}
			tm.report(b)
		})
		b.Run(sz.String()+"/held", func(b *testing.B) {
			f := code[0].frame()
			d := NewDecoder()
			if _, err := d.DecodeLive(&f); err != nil {
				b.Fatal("not read")
			}
			tm := newTimer()
			for b.Loop() {
				tm.begin()
				_, err := d.DecodeLive(&f)
				tm.end()
				if err != nil {
					b.Fatal("not read")
				}
			}
			tm.report(b)
		})
		b.Run(sz.String()+"/none", func(b *testing.B) {
			d := NewDecoder()
			tm := newTimer()
			for i := 0; b.Loop(); i++ {
				f := none[i%len(none)].frame()
				tm.begin()
				text, err := d.DecodeLive(&f)
				tm.end()
				if err == nil {
					b.Fatalf("false read %.20q", text)
				}
			}
			tm.report(b)
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
			tm := newTimer()
			read, total, falseReads := 0, 0, 0
			for i := 0; b.Loop(); i++ {
				g := frames[i%len(frames)]
				f := g.frame()
				tm.begin()
				text, err := NewDecoder().Decode(&f)
				tm.end()
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
			tm.report(b)
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
	// read returns the text and the CPU time it took, when known.
	score := func(b *testing.B, read func(name string) (string, time.Duration)) {
		var wall, cpu []time.Duration
		ok, falseReads, total := 0, 0, 0
		for b.Loop() {
			for i, g := range frames {
				t0 := time.Now()
				text, c := read(names[i])
				wall, cpu = append(wall, time.Since(t0)), append(cpu, c)
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
		b.ReportMetric(float64(median(wall).Microseconds())/1000, "ms-median")
		b.ReportMetric(float64(median(cpu).Microseconds())/1000, "cpu-ms-median")
	}
	b.Run("zbarimg", func(b *testing.B) {
		score(b, func(name string) (string, time.Duration) {
			cmd := exec.Command(zbar, "-q", "--raw", name)
			out, _ := cmd.Output()
			var c time.Duration
			if cmd.ProcessState != nil {
				c = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			return strings.TrimRight(string(out), "\n"), c
		})
	})
	b.Run("passdesk", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		score(b, func(name string) (string, time.Duration) {
			c0 := threadCPU()
			img, err := ReadImage(name)
			if err != nil {
				b.Fatal(err)
			}
			text, _ := DecodeImage(img)
			return text, threadCPU() - c0
		})
	})
}
