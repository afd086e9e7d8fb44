package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"passdesk/app"
	"passdesk/assets"
	"passdesk/ui"
	"passdesk/ui/sound"
)

// The demo people --demo-people creates on a ledger that has nobody yet,
// so a newcomer running `make run` can open every screen.
const (
	demoManagerName = "Demo manager"
	demoManagerPIN  = "2468"
	demoStaffName   = "Demo staff"
	demoStaffPIN    = "1357"
)

// runWindow opens the kiosk window: `passdesk [kiosk flags]`.
func runWindow(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("passdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := kioskFlags(fs)
	windowed := fs.Bool("windowed", false, "open in an ordinary window instead of full-screen kiosk mode")
	size := fs.String("size", "1280x800", "window size WxH with --windowed")
	autostart := fs.Bool("install-autostart", false, "install the XDG autostart entry that opens PassDesk at login on this PC, then exit")
	demoPeople := fs.Bool("demo-people", false, "when nobody can sign in yet, add a demo manager (PIN "+demoManagerPIN+") and staff member (PIN "+demoStaffPIN+")")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passdesk: unexpected argument %q (commands: passdesk help)\n", fs.Arg(0))
		return exitUsage
	}
	if *autostart {
		path, err := installAutostart()
		if err != nil {
			fmt.Fprintln(stderr, "passdesk:", err)
			return exitFail
		}
		fmt.Fprintln(stderr, "passdesk: PassDesk will open at login:", path)
		return exitOK
	}
	w, h, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(stderr, "passdesk: --size:", err)
		return exitUsage
	}
	// A configuration that cannot be read is shown in the window, with a
	// way to retry, rather than ending the program at the door.
	cfg, loadErr := load()
	if loadErr != nil {
		loadErr = &app.StartError{Problem: app.StartConfig, Err: loadErr}
	}
	logger := log.New(stderr, "", log.LstdFlags)

	a := fyneapp.NewWithID("org.passdesk.kiosk")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	a.Settings().SetTheme(ui.NewTheme())
	win := a.NewWindow("PassDesk")
	win.Resize(fyne.NewSize(float32(w), float32(h)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	s := &windowSession{
		app: a, win: win, ctx: ctx, load: load, logf: logger.Printf,
		sound: sound.New(logger.Printf), kioskMode: !*windowed, demoPeople: *demoPeople, stderr: stderr,
	}
	if loadErr != nil {
		s.showError(loadErr)
	} else {
		s.open(cfg)
	}
	win.Show()
	a.Run()
	cancel()
	s.close()
	return exitOK
}

// windowSession is one kiosk (engine, scanner, screens) in the window; a
// reload after the first-run setup or a change of service replaces it.
type windowSession struct {
	app        fyne.App
	win        fyne.Window
	ctx        context.Context
	load       func() (app.Config, error)
	logf       func(format string, args ...any)
	sound      *sound.Player
	kioskMode  bool
	demoPeople bool
	stderr     io.Writer

	mu     sync.Mutex
	kiosk  *kiosk
	screen *ui.Kiosk
	cancel context.CancelFunc
}

// open starts a kiosk with cfg; a failure to open (an unreadable ledger)
// is shown in the window rather than ending the program.
func (s *windowSession) open(cfg app.Config) {
	kctx, cancel := context.WithCancel(s.ctx)
	k, err := openKiosk(kctx, cfg)
	if err != nil {
		cancel()
		s.showError(err)
		return
	}
	if s.demoPeople {
		if err := addDemoPeople(kctx, k.Engine); err != nil {
			s.logf("passdesk: demo people: %v", err)
		}
	}
	screen, err := ui.New(s.app, s.win, k.Engine, k.Scanner, ui.Options{
		Sound:     s.sound,
		KioskMode: s.kioskMode,
		Reload:    s.reload,
		Logf:      s.logf,
	})
	if err != nil {
		cancel()
		_ = k.Close()
		s.showError(err)
		return
	}
	screen.Start(kctx) // openKiosk started the engine
	s.mu.Lock()
	s.kiosk, s.screen, s.cancel = k, screen, cancel
	s.mu.Unlock()
}

// reload closes the running kiosk and opens one with the saved
// configuration; called on the UI goroutine.
func (s *windowSession) reload() {
	s.close()
	cfg, err := s.load()
	if err != nil {
		s.showError(&app.StartError{Problem: app.StartConfig, Err: err})
		return
	}
	s.open(cfg)
}

func (s *windowSession) close() {
	s.mu.Lock()
	k, screen, cancel := s.kiosk, s.screen, s.cancel
	s.kiosk, s.screen, s.cancel = nil, nil, nil
	s.mu.Unlock()
	if screen != nil {
		screen.Close()
	}
	if cancel != nil {
		cancel()
	}
	if k != nil {
		if err := k.Close(); err != nil {
			s.logf("passdesk: closing the kiosk: %v", err)
		}
	}
}

// showError fills the window with what went wrong, in words, and a way
// to retry.
func (s *windowSession) showError(err error) {
	s.logf("passdesk: %v", err)
	if _, uerr := ui.ShowStartError(s.win, startError(err), ui.StartErrorOptions{
		KioskMode: s.kioskMode, Retry: s.reload, Quit: s.app.Quit,
	}); uerr != nil {
		s.logf("passdesk: %v", uerr)
	}
	if s.kioskMode {
		s.win.SetFullScreen(true)          // as the kiosk would be: the screen's size, nothing behind it
		s.win.SetCloseIntercept(func() {}) // no PIN can be checked: see the screen's note
	} else {
		s.win.SetCloseIntercept(nil)
	}
}

// addDemoPeople adds the demo manager and staff member when nobody is
// registered yet; it leaves a ledger with people alone.
func addDemoPeople(ctx context.Context, e *app.Engine) error {
	need, err := e.NeedsSetup(ctx)
	if err != nil || !need {
		return err
	}
	boss, err := e.SetUp(ctx, demoManagerName, demoManagerPIN)
	if err != nil {
		return err
	}
	_, err = e.AddPerson(ctx, boss, demoStaffName, app.Staff, demoStaffPIN)
	return err
}

// parseSize reads "WxH".
func parseSize(s string) (w, h int, err error) {
	w, h, ok := app.ParseWxH(s)
	if !ok || w < 320 || h < 240 || w > 10000 || h > 10000 {
		return 0, 0, fmt.Errorf("%q is not a window size like 1280x800", s)
	}
	return w, h, nil
}

// installAutostart writes assets/passdesk.desktop into the user's XDG
// autostart folder, starting this very executable.
func installAutostart() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding the passdesk executable: %w", err)
	}
	dir, err := xdgDir("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return "", fmt.Errorf("finding the autostart folder: %w", err)
	}
	dir = filepath.Join(dir, "autostart")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	entry := strings.Replace(string(assets.Desktop), "\nExec=passdesk\n", "\nExec="+exe+"\n", 1)
	path := filepath.Join(dir, "passdesk.desktop")
	if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
		return "", err
	}
	return path, nil
}
