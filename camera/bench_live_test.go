package camera

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"passdesk/internal/benchstat"
)

// BenchmarkLiveReplay runs the kiosk's scanner (capture and decoding
// goroutines, the newest frame winning) on a replay of 1280x720 MJPEG
// frames at 30 fps: 60 frames without a code, then 45 frames showing one
// readable code (easy tier), looped three times. `make bench-decode` runs
// it with GOMAXPROCS=1 on one core. It reports the frames' age when their
// decoding began and ended, in frame times, and the time from the first
// frame that shows the code to its text leaving the scanner (the rest of
// the way to the verdict on screen, the ledger's commit included, is
// BenchmarkReplayToVerdict's). One op is the whole replay.
func BenchmarkLiveReplay(b *testing.B) {
	dir := b.TempDir()
	r := rand.New(rand.NewSource(1601))
	text := pd1Text(r)
	for len(text) < 330 {
		text = pd1Text(r)
	}
	const none, code, loops, fps = 60, 45, 3, 30.0
	for i := 0; i < none+code; i++ {
		name, sf := fmt.Sprintf("a-none-%03d.jpg", i), sceneShowing(r, tierNone, i, "")
		if i >= none {
			name, sf = fmt.Sprintf("b-code-%03d.jpg", i), sceneShowing(r, tierEasy, i, text)
		}
		if err := os.WriteFile(filepath.Join(dir, name), sf.jpeg, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	frame := time.Second / fps
	for i := 0; i < b.N; i++ {
		lr := runLiveReplay(b, dir, fps, loops*(none+code))
		fmt.Printf("\nlive replay, %d frames at %.0f fps (delivered %.1f fps), GOMAXPROCS=%d, JPEG by %s\n",
			lr.delivered, fps, lr.fps, runtime.GOMAXPROCS(0), JPEGDecoder())
		fmt.Printf("| measure | median | p99 | max |\n|---|---|---|---|\n")
		row := func(name string, d []time.Duration, unit time.Duration, u string) {
			fmt.Printf("| %s | %.2f%s | %.2f%s | %.2f%s |\n", name, float64(benchstat.Percentile(d, 50))/float64(unit), u,
				float64(benchstat.Percentile(d, 99))/float64(unit), u, float64(benchstat.Percentile(d, 100))/float64(unit), u)
		}
		row("frame age when decoding began (frames)", lr.ageBegan, frame, "")
		row("frame age when it was decided (frames)", lr.ageDone, frame, "")
		row("time to decide, frames without a code (ms)", lr.costNone, time.Millisecond, "")
		row("time to decide, frames with the code (ms)", lr.costCode, time.Millisecond, "")
		row("CPU time to decide, frames without a code (ms)", lr.cpuNone, time.Millisecond, "")
		row("CPU time to decide, frames with the code (ms)", lr.cpuCode, time.Millisecond, "")
		row("first code frame to text (ms)", lr.latency, time.Millisecond, "")
		fmt.Printf("decoded %d of %d frames; the code read in %d of %d showings\n", lr.decoded, lr.delivered, len(lr.latency), loops)
		b.ReportMetric(float64(benchstat.Percentile(lr.ageDone, 100))/float64(frame), "max-age-frames")
		b.ReportMetric(benchstat.Ms(benchstat.Percentile(lr.latency, 100)), "max-latency-ms")
		b.ReportMetric(float64(lr.decoded)/float64(lr.delivered), "decoded/delivered")
	}
}

type liveResult struct {
	delivered, decoded                             int
	fps                                            float64
	ageBegan, ageDone, costNone, costCode, latency []time.Duration
	cpuNone, cpuCode                               []time.Duration
}

// codeWatch passes frames on from a replay and notes when the first frame
// of each showing of the code left it.
type codeWatch struct {
	*replaySource
	mu       sync.Mutex
	n        int
	inCode   bool
	showings []time.Time
	given    []delivery
}

type delivery struct {
	at   time.Time
	code bool
}

func (c *codeWatch) Next(ctx context.Context, f *Frame) error {
	if err := c.replaySource.Next(ctx, f); err != nil {
		return err
	}
	now := time.Now()
	code := c.i > 0 && strings.Contains(filepath.Base(c.files[c.i-1]), "-code-")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.given = append(c.given, delivery{now, code})
	if code && !c.inCode {
		c.showings = append(c.showings, now)
	}
	c.inCode = code
	return nil
}

func runLiveReplay(b *testing.B, dir string, fps float64, frames int) liveResult {
	var (
		mu  sync.Mutex
		res liveResult
	)
	_ = b
	opts := Options{Repeat: time.Nanosecond}
	var seen [][3]time.Time
	var cpus []time.Duration
	opts.cpu = threadCPU
	opts.observe = func(got, began, done time.Time, cpu time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		res.decoded++
		res.ageBegan = append(res.ageBegan, began.Sub(got))
		res.ageDone = append(res.ageDone, done.Sub(got))
		seen = append(seen, [3]time.Time{got, began, done})
		cpus = append(cpus, cpu)
	}
	opts.defaults()
	src := &codeWatch{replaySource: newReplaySource(dir, fps, opts)}
	var texts []time.Time
	start := time.Now()
	s := NewScannerFrom(src, opts)
	deadline := time.After(time.Duration(float64(frames)/fps*float64(time.Second)) + 500*time.Millisecond)
loop:
	for {
		select {
		case _, ok := <-s.Texts():
			if !ok {
				break loop
			}
			texts = append(texts, time.Now())
		case <-deadline:
			break loop
		}
	}
	s.Close()
	elapsed := time.Since(start)
	src.mu.Lock()
	defer src.mu.Unlock()
	res.delivered, res.fps = src.n, float64(src.n)/elapsed.Seconds()
	mu.Lock()
	defer mu.Unlock()
	for j, o := range seen {
		// The frame is the last one given before the scanner stamped it.
		k := sort.Search(len(src.given), func(i int) bool { return src.given[i].at.After(o[0]) }) - 1
		if k >= 0 && src.given[k].code {
			res.costCode = append(res.costCode, o[2].Sub(o[1]))
			res.cpuCode = append(res.cpuCode, cpus[j])
		} else {
			res.costNone = append(res.costNone, o[2].Sub(o[1]))
			res.cpuNone = append(res.cpuNone, cpus[j])
		}
	}
	for _, at := range src.showings {
		for _, t := range texts {
			if t.After(at) {
				res.latency = append(res.latency, t.Sub(at))
				break
			}
		}
	}
	if len(texts) == 0 {
		b.Errorf("the code was never read")
	}
	return res
}
