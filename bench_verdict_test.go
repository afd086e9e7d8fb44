package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/sys/unix"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/camera"
	"passdesk/internal/benchstat"
	"passdesk/storage"
	"passdesk/ui"
)

// BenchmarkReplayToVerdict measures what a visitor waits for at the
// webcam: from the first frame that shows their pass to its verdict on the
// kiosk's screen. The frames are a replay (1280x720 JPEG at 30 fps,
// handed on as a webcam's MJPEG), and everything after them is the
// kiosk's own: the scanner (libjpeg-turbo, the live decoder), the engine
// (offline verification, no service), the SQLite ledger, whose durable
// commit comes before an admit is shown, and the kiosk's window (fyne's
// test driver: the widgets are set, the GPU's next frame is not counted).
// It runs with the ledger in /dev/shm (tmpfs, where writable) and in the
// temporary directory (a disk, here), since the commit's fsync is most of
// the time where the disk is slow; each row says which it was. `make
// bench-decode` runs it on one core. One op is both replays.
func BenchmarkReplayToVerdict(b *testing.B) {
	const showings, none, code, fps = 10, 30, 30, 30.0
	world, err := apptest.NewWorld(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	for i := range showings {
		h, err := world.NewHolder(fmt.Sprintf("방문자%d", i), false)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, h.Present(world.Epoch))
	}
	frames := b.TempDir()
	r := rand.New(rand.NewSource(1701))
	n := 0
	write := func(text string) {
		buf, err := sceneJPEG(r, text)
		if err != nil {
			b.Fatal(err)
		}
		n++
		if err := os.WriteFile(filepath.Join(frames, fmt.Sprintf("%04d.jpg", n)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	first := map[int]int{} // the frame number that first shows showing k
	for k, text := range texts {
		for range none {
			write("")
		}
		first[n+1] = k
		for range code {
			write(text)
		}
	}
	places := []struct{ name, metric, dir string }{{"/dev/shm", "shm", "/dev/shm"}, {os.TempDir(), "tmp", os.TempDir()}}
	for i := 0; i < b.N; i++ {
		fmt.Printf("\nfirst frame showing a pass to its verdict on screen: replay of %d frames at %.0f fps, %d passes shown %d frames each, GOMAXPROCS=%d, JPEG by %s\n",
			n, fps, showings, code, runtime.GOMAXPROCS(0), camera.JPEGDecoder())
		fmt.Printf("| ledger | verdicts | admitted | median | p99 | max |\n|---|---|---|---|---|---|\n")
		for _, p := range places {
			if st, err := os.Stat(p.dir); err != nil || !st.IsDir() {
				fmt.Printf("| %s | not here | | | | |\n", p.name)
				continue
			}
			dir, err := os.MkdirTemp(p.dir, "passdesk-bench-")
			if err != nil {
				fmt.Printf("| %s | not writable | | | | |\n", p.name)
				continue
			}
			name := p.name + " (" + fsKind(dir) + ")"
			waits, admitted := replayToVerdict(b, world, frames, dir, fps, n, first, showings)
			os.RemoveAll(dir)
			fmt.Printf("| %s | %d of %d | %d | %.1f ms | %.1f ms | %.1f ms |\n", name, len(waits), showings, admitted,
				benchstat.Ms(benchstat.Percentile(waits, 50)), benchstat.Ms(benchstat.Percentile(waits, 99)), benchstat.Ms(benchstat.Percentile(waits, 100)))
			b.ReportMetric(benchstat.Ms(benchstat.Percentile(waits, 100)), p.metric+"-max-ms")
			if len(waits) < showings {
				b.Errorf("%s: %d verdicts for %d passes shown", name, len(waits), showings)
			}
		}
	}
}

// replayToVerdict runs one kiosk, its ledger in dir, on the replay of
// frames (n of them, once through), and returns, for each pass shown, the
// time from its first frame's delivery to its verdict on screen (one
// shown before the next pass came), and how many were admitted.
func replayToVerdict(b *testing.B, world *apptest.World, frames, dir string, fps float64, n int, first map[int]int, showings int) ([]time.Duration, int) {
	ledger, err := storage.Open(dir, storage.Options{VenueID: "bench-venue", KioskID: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer ledger.Close()
	// A kiosk nobody can sign in to opens on its first-run setup.
	if _, err := ledger.AddPerson(context.Background(), "Kim Manager", app.Manager, "2468"); err != nil {
		b.Fatal(err)
	}
	lists := &apptest.Lists{}
	if err := lists.Save(app.TrustListKind, app.ListDoc{Doc: world.TrustList}); err != nil {
		b.Fatal(err)
	}
	if err := lists.Save(app.RevocationsKind, app.ListDoc{Doc: world.Revocation}); err != nil {
		b.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.Roots = []string{world.RootKey}
	cfg.VenueID, cfg.KioskID = "bench-venue", "bench"
	// The passes were made at the world's epoch: the kiosk's clock stays
	// there, so that a slow run does not age them out of their window.
	eng, err := app.New(cfg, app.Deps{Ledger: ledger, Records: ledger, People: ledger, Lists: lists,
		Now: func() time.Time { return world.Epoch }})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()

	src, err := camera.NewSource(fmt.Sprintf("replay:%s@%g", frames, fps), camera.Options{})
	if err != nil {
		b.Fatal(err)
	}
	watch := &firstFrames{Source: src, first: first, shown: make([]time.Time, showings)}
	sc := camera.NewScannerFrom(watch, camera.Options{})
	defer sc.Close()

	var mu sync.Mutex
	var shown []time.Time
	admitted := 0
	uiq := make(chan func(), 64)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := test.NewTempApp(b)
	win := a.NewWindow("PassDesk")
	win.Resize(fyne.NewSize(1024, 768))
	k, err := ui.New(a, win, eng, sc, ui.Options{
		VerdictFor:     time.Second,
		SystemLanguage: func() string { return ui.Korean },
		Quit:           func() {},
		Do: func(f func()) {
			select {
			case uiq <- f:
			case <-ctx.Done(): // the replay is over: nobody runs the UI
			}
		},
		OnResult: func(res app.Result) {
			mu.Lock()
			defer mu.Unlock()
			shown = append(shown, time.Now())
			if res.Entry.Outcome == app.Admit {
				admitted++
			}
		},
		Logf: b.Logf,
	})
	if err != nil {
		b.Fatal(err)
	}
	k.Start(ctx)
	defer k.Close()
	end := time.After(time.Duration(float64(n)/fps*float64(time.Second)) + 2*time.Second)
loop:
	for {
		select {
		case f := <-uiq:
			f() // the UI goroutine
		case <-end:
			break loop
		}
	}
	cancel()
	sc.Close()
	mu.Lock()
	defer mu.Unlock()
	watch.mu.Lock()
	defer watch.mu.Unlock()
	var waits []time.Duration
	for k, at := range watch.shown {
		if at.IsZero() {
			continue
		}
		next := time.Now()
		if k+1 < len(watch.shown) && !watch.shown[k+1].IsZero() {
			next = watch.shown[k+1]
		}
		for _, s := range shown {
			if s.After(at) && s.Before(next) {
				waits = append(waits, s.Sub(at))
				break
			}
		}
	}
	return waits, admitted
}

// firstFrames passes a replay's frames on and notes when the first frame
// of each showing of a pass left it (its frames are numbered from 1 in
// the order the replay gives them, once through).
type firstFrames struct {
	camera.Source
	first map[int]int
	mu    sync.Mutex
	n     int
	shown []time.Time
}

func (f *firstFrames) Next(ctx context.Context, fr *camera.Frame) error {
	if err := f.Source.Next(ctx, fr); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if k, ok := f.first[f.n]; ok && f.shown[k].IsZero() {
		f.shown[k] = time.Now()
	}
	return nil
}

// sceneJPEG is a 1280x720 grey frame of an unevenly lit, noisy desk,
// with text's QR code on a phone's screen in it when text is not empty,
// about 330 px wide, as a webcam's JPEG at quality 85.
func sceneJPEG(r *rand.Rand, text string) ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, 1280, 720))
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			v := 90 + 60*x/1280 + 30*y/720 + r.Intn(13) - 6
			img.Pix[y*img.Stride+x] = uint8(v)
		}
	}
	if text != "" {
		m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 4})
		if err != nil {
			return nil, err
		}
		side := m.GetWidth()
		px := max(1, 330/side)
		x0, y0 := 400+r.Intn(200), 120+r.Intn(100)
		for y := 0; y < side*px; y++ {
			for x := 0; x < side*px; x++ {
				v := uint8(235 - r.Intn(10))
				if m.Get(x/px, y/px) {
					v = uint8(25 + r.Intn(10))
				}
				img.Pix[(y0+y)*img.Stride+x0+x] = v
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fsKind says whether dir is on tmpfs (memory) or on a disk.
func fsKind(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	if st.Type == unix.TMPFS_MAGIC {
		return "tmpfs"
	}
	return "disk"
}
