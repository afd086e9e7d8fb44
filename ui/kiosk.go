// Package ui is PassDesk's kiosk window: the scan screen, the full-screen
// verdict, manual entries, the manager's review, settings and staff screens,
// and the first-run setup. It talks to the check-in core (passdesk/app)
// only; it never opens the ledger or the camera itself, and it does not
// import fyne.io/fyne/v2/app, so its tests run on fyne's test driver.
package ui

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"passdesk/app"
)

// Player plays the verdict tones; ui/sound provides one.
type Player interface {
	// Play sounds the success tone when ok, else the failure tone.
	Play(ok bool)
}

// Options tune a Kiosk; the zero value is what a venue runs.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// After runs f once d has passed and returns a function that cancels
	// it (time.AfterFunc when nil). Tests inject one to clear verdicts
	// without waiting.
	After func(d time.Duration, f func()) (stop func())
	// VerdictFor is how long a verdict stays up (4 s when zero).
	VerdictFor time.Duration
	// Sound plays the verdict tones; nil is silent.
	Sound Player
	// KioskMode opens full screen; closing the window or leaving full
	// screen then needs a manager PIN.
	KioskMode bool
	// SystemLanguage reports the system's language (SystemLanguage when
	// nil); the configuration's language wins when it names one.
	SystemLanguage func() string
	// Do runs f on the UI goroutine (fyne.Do when nil); every widget
	// update from background work goes through it. Tests run the queued
	// functions on the test goroutine.
	Do func(f func())
	// Quit ends the program (the app's Quit when nil).
	Quit func()
	// OnResult, when set, is called on the UI goroutine after a verdict is
	// shown (tests wait on it).
	OnResult func(app.Result)
	// OnDone, when set, is called on the UI goroutine when background work
	// started by a screen finished ("pin", "manual", "review", "export",
	// "settings", "staff", "setup"), with its error (tests wait on it).
	OnDone func(what string, err error)
	// Reload, when set, reopens the engine with the saved configuration
	// (after the first-run setup or a change of service, roots or camera,
	// which the running engine cannot take live).
	Reload func()
	// Logf logs what staff cannot act on (log.Printf when nil).
	Logf func(format string, args ...any)
}

// screen says which screen fills the window.
type screen int

const (
	screenScan screen = iota
	screenManager
	screenSetup
)

// Kiosk is the whole window: it owns the screens and the loop that feeds
// scans to the engine and verdicts back to the screen.
type Kiosk struct {
	fyneApp fyne.App
	win     fyne.Window
	eng     *app.Engine
	sc      app.Scanner
	o       Options
	cat     *catalog
	lang    string

	ctx    context.Context
	cancel context.CancelFunc

	screen  screen
	scan    *scanScreen
	verdict *verdictView
	stack   *fyne.Container // scan screen with the verdict over its body
	manager *managerScreen
	setup   *setupScreen

	pin         *pinPrompt  // the PIN prompt on screen, if any
	manual      *manualForm // the manual entry form on screen, if any
	verdictUp   bool
	stopVerdict func()
}

// New builds the kiosk's screens in w. e is the running engine; sc may be
// nil (keyboard-wedge scanners only). Call Start to begin scanning.
func New(a fyne.App, w fyne.Window, e *app.Engine, sc app.Scanner, o Options) (*Kiosk, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	registerTranslations()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = func(d time.Duration, f func()) func() {
			t := time.AfterFunc(d, f)
			return func() { t.Stop() }
		}
	}
	if o.VerdictFor <= 0 {
		o.VerdictFor = 4 * time.Second
	}
	if o.SystemLanguage == nil {
		o.SystemLanguage = SystemLanguage
	}
	if o.Do == nil {
		o.Do = fyne.Do
	}
	if o.Quit == nil {
		o.Quit = a.Quit
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	k := &Kiosk{fyneApp: a, win: w, eng: e, sc: sc, o: o, cat: cat}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	k.lang = pickLanguage(e.Config().Language, o.SystemLanguage)
	a.Settings().SetTheme(NewTheme())
	w.SetTitle(k.t("app.title"))
	w.SetPadded(false) // the verdict colour reaches the screen's edges
	if o.KioskMode {
		w.SetFullScreen(true)
	}
	w.SetCloseIntercept(k.onClose)
	k.build()
	return k, nil
}

// do runs f on the UI goroutine.
func (k *Kiosk) do(f func()) { k.o.Do(f) }

// t translates key into the kiosk's current language.
func (k *Kiosk) t(key string, args ...any) string { return k.cat.text(k.lang, key, args...) }

// Language is the language the screens speak ("ko" or "en").
func (k *Kiosk) Language() string { return k.lang }

// SetLanguage switches every screen to l ("ko" or "en") and rebuilds them.
func (k *Kiosk) SetLanguage(l string) {
	k.lang = pickLanguage(l, k.o.SystemLanguage)
	k.win.SetTitle(k.t("app.title"))
	k.build()
}

// build (re)creates the screens in the current language and shows the one
// that was up, or the setup when the kiosk has no configuration yet.
func (k *Kiosk) build() {
	k.scan = k.newScanScreen()
	k.verdict = newVerdictView(k.clearVerdict)
	k.verdict.Hide()
	k.verdictUp = false
	body, bar := k.scan.build()
	k.stack = container.NewBorder(nil, bar, nil, nil, container.NewStack(body, k.verdict))
	switch {
	case k.screen == screenManager && k.manager != nil:
		k.manager = k.newManagerScreen(k.manager.by)
		k.win.SetContent(k.manager.build())
	case k.needsSetup() || k.needsFirstManager():
		k.showSetup()
	default:
		k.showScan()
	}
}

// needsSetup is true on a first run: no service and no trust root, so the
// kiosk could verify nothing.
func (k *Kiosk) needsSetup() bool {
	c := k.eng.Config()
	return c.ServerURL == "" && len(c.Roots) == 0
}

// Start begins the background loops: scanner texts, status, preview and
// alerts. They stop with ctx or Close.
func (k *Kiosk) Start(ctx context.Context) {
	go func() {
		<-ctx.Done()
		k.cancel()
	}()
	if k.sc != nil {
		go k.drainScanner()
	}
	go k.drainAlerts()
	go k.tick(time.Second, func() { k.refreshStatus() })
	if k.sc != nil {
		go k.tick(125*time.Millisecond, func() {
			if k.screen == screenScan && !k.verdictUp {
				k.scan.refreshPreview()
			}
		})
	}
	k.do(k.refreshStatus)
}

// Close stops the loops; the engine and scanner belong to the caller.
func (k *Kiosk) Close() { k.cancel() }

func (k *Kiosk) drainScanner() {
	for {
		select {
		case <-k.ctx.Done():
			return
		case text, ok := <-k.sc.Texts():
			if !ok {
				return
			}
			k.submit(text)
		}
	}
}

func (k *Kiosk) drainAlerts() {
	for {
		select {
		case <-k.ctx.Done():
			return
		case r, ok := <-k.eng.Alerts():
			if !ok {
				return
			}
			k.do(func() { k.showAlert(r) })
		}
	}
}

// tick calls f on the UI goroutine every d until the kiosk closes.
func (k *Kiosk) tick(d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
			k.do(f)
		}
	}
}

// submit sends one QR text to the engine off the UI goroutine and shows
// the verdict when it comes back. Safe from any goroutine.
func (k *Kiosk) submit(text string) {
	if k.sc != nil {
		k.sc.Pause(true)
	}
	go func() {
		r := k.eng.Scan(k.ctx, text)
		k.do(func() { k.showResult(r) })
	}()
}

// showResult puts a verdict on screen, sounds its tone and arranges for it
// to clear itself.
func (k *Kiosk) showResult(r app.Result) {
	defer func() {
		if k.o.OnResult != nil {
			k.o.OnResult(r)
		}
	}()
	if k.screen != screenScan {
		// A scan that was under way when a manager opened their area:
		// recorded by the engine, not shown over the manager's screen.
		return
	}
	v := describe(k.cat, k.lang, r)
	k.verdict.setVerdict(v)
	k.verdict.Show()
	k.verdictUp = true
	k.play(v.Kind == kindAdmit || v.Kind == kindDuplicate)
	if k.stopVerdict != nil {
		k.stopVerdict()
	}
	k.stopVerdict = k.o.After(k.o.VerdictFor, func() { k.do(k.clearVerdict) })
}

// play sounds a tone when the venue has sounds on.
func (k *Kiosk) play(ok bool) {
	if k.o.Sound != nil && k.eng.Config().Sounds {
		k.o.Sound.Play(ok)
	}
}

// clearVerdict takes the verdict down and lets the camera scan again.
func (k *Kiosk) clearVerdict() {
	if k.stopVerdict != nil {
		k.stopVerdict()
		k.stopVerdict = nil
	}
	k.verdictUp = false
	k.verdict.Hide()
	k.resumeScanner()
}

func (k *Kiosk) resumeScanner() {
	if k.sc != nil {
		k.sc.Pause(false)
	}
}

// done reports finished background work to Options.OnDone.
func (k *Kiosk) done(what string, err error) {
	if k.o.OnDone != nil {
		k.o.OnDone(what, err)
	}
}

// VerdictShown reports whether a verdict is on screen.
func (k *Kiosk) VerdictShown() bool { return k.verdictUp }

// showScan puts the scan screen up and routes typed keys to the
// keyboard-wedge reader.
func (k *Kiosk) showScan() {
	k.screen = screenScan
	k.manager = nil
	k.setup = nil
	k.win.SetContent(k.stack)
	k.win.Canvas().Unfocus()
	k.scan.listenKeys(k.win.Canvas())
	k.resumeScanner()
	k.refreshStatus()
}

func (k *Kiosk) refreshStatus() {
	if k.screen == screenScan && k.scan != nil {
		k.scan.showStatus(k.eng.Status())
	}
}
