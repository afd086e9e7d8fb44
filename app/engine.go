package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/pass"
)

// Deps are the adapters an Engine works through.
type Deps struct {
	Ledger  Ledger
	Records Records
	People  People
	Service Service     // the online adapter (app/remote); nil = offline only
	Lists   ListStore   // keeps the signed lists on disk; nil = memory only
	Config  ConfigStore // where a manager's settings are saved; nil refuses saving
	Scanner Scanner     // optional, only for Status().Camera
	Schemes []pass.Scheme
	Now     func() time.Time

	// Events, when set, hears of outages and list changes as they happen
	// (the headless runner prints them). It must not block.
	Events func(Event)
	// Timing, where a field is set, overrides the configuration's
	// timings (tests shorten them); zero fields take the configuration's.
	Timing Timing
}

// settings is the part of the configuration a scan reads, swapped whole
// when a manager saves new settings.
type settings struct {
	cfg    Config
	roots  []ed25519.PublicKey
	policy pass.Policy
	rules  pass.Rules
}

// Engine is the kiosk: it verifies scans online or offline, records them,
// and keeps the service, the lists and the upload queue in step in the
// background.
type Engine struct {
	*Office

	d      Deps
	t      Timing
	now    func() time.Time
	set    atomic.Pointer[settings]
	saveMu sync.Mutex

	br    *breaker
	lists lists
	dup   dupes
	// prefixes are the pass prefixes the kiosk reads, for RepairTyped.
	prefixes []string

	alerts      chan Result
	pending     atomic.Int64
	clockWarned atomic.Bool   // a clock warning was raised and still holds
	wake        chan struct{} // nudges the uploader
	syncWake    chan struct{} // nudges the list sync

	noticeMu sync.Mutex
	notices  []Notice

	// floor is the latest trusted time seen (Unix nanoseconds): the
	// service's Date, the newest list's iat, the newest ledger row. The
	// kiosk never verifies at an earlier time, whatever its clock says.
	floor atomic.Int64

	startOnce sync.Once
	cancel    context.CancelFunc
	bgMu      sync.Mutex
	bgCtx     context.Context
	closing   bool
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// New makes an engine from a validated configuration. It loads the signed
// lists kept on disk, so an engine started during an outage verifies
// offline at once. Background work begins with Start.
func New(cfg Config, d Deps) (*Engine, error) {
	if d.Ledger == nil {
		return nil, errors.New("engine: no ledger")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	e := &Engine{
		d:        d,
		t:        d.Timing.over(cfg.Timing).withDefaults(),
		now:      d.Now,
		alerts:   make(chan Result, 64),
		wake:     make(chan struct{}, 1),
		syncWake: make(chan struct{}, 1),
	}
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	e.set.Store(s)
	for _, n := range cfg.Notices {
		e.notice(n.Code, n.Detail)
	}
	e.Office = NewOffice(d.People, d.Records, d.Ledger.Purge, d.Now)
	e.Office.notice = func(n Notice) { e.notice(n.Code, n.Detail) }
	e.br = newBreaker(e.t.FailuresToTrip, d.Now)
	e.br.onOpen, e.br.onClose = e.openOutage, e.closeOutage
	e.dup.m = make(map[dupKey]*dupSlot)
	e.prefixes = []string{pass.Prefix, "HC1:"}
	for _, sc := range d.Schemes {
		e.prefixes = append(e.prefixes, sc.Prefix())
	}
	e.loadLists(s.roots)
	if t, err := d.Ledger.Newest(context.Background()); err == nil {
		e.trust(t)
	}
	e.rebuildDupes(context.Background())
	// An outage an earlier run left open (it was stopped, or killed,
	// before the service came back) would read "ongoing" in every review
	// and report from then on; this run watches for outages of its own.
	if _, err := d.Ledger.EndStoppedOutages(context.Background(), time.Time{}); err != nil {
		e.notice(NoticeOutageNotRecorded, err.Error())
	}
	e.checkClock()
	if d.Service != nil && (cfg.VenueID == "" || cfg.KioskID == "") {
		e.notice(NoticeNoVenue, "")
	}
	if len(s.roots) == 0 {
		e.notice(NoticeNoRoots, "")
	}
	return e, nil
}

func newSettings(cfg Config) (*settings, error) {
	roots, err := cfg.RootKeys()
	if err != nil {
		return nil, err
	}
	return &settings{cfg: cfg, roots: roots, policy: cfg.PassPolicy(), rules: cfg.Rules()}, nil
}

// Start begins the background work: list sync, breaker probes, uploads
// and the daily purge. It returns at once; Close stops it.
func (e *Engine) Start(ctx context.Context) {
	e.startOnce.Do(func() {
		ctx, e.cancel = context.WithCancel(ctx)
		e.bgMu.Lock()
		e.bgCtx = ctx
		e.bgMu.Unlock()
		e.refreshPending(ctx)
		e.spawn(func() { e.probeLoop(ctx) })
		e.spawn(func() { e.idleLoop(ctx) })
		e.spawn(func() { e.purgeLoop(ctx) })
		e.spawn(func() { e.resumeLoop(ctx) })
		if e.d.Service != nil {
			e.spawn(func() { e.syncLoop(ctx) })
			e.spawn(func() { e.uploadLoop(ctx) })
		}
	})
}

func (e *Engine) spawn(f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// Close stops the background work and waits for it. The adapters (ledger,
// scanner) belong to the caller and stay open.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.bgMu.Lock()
		e.closing = true
		e.bgMu.Unlock()
		if e.cancel != nil {
			e.cancel()
		}
		e.startOnce.Do(func() {}) // a Start after Close does nothing
		e.wg.Wait()
		e.endOutageAtStop()
		close(e.alerts)
	})
	return nil
}

// endOutageAtStop ends the outage under way, if there is one, when the
// kiosk stops: its review then shows how long this kiosk went without the
// service, where the next start could end it only at the last entry
// recorded during it.
func (e *Engine) endOutageAtStop() {
	cur, _, _ := e.br.state()
	if cur == nil {
		return
	}
	// The write of its start ran in the background Close has waited for.
	<-cur.recorded
	if cur.ID() == 0 {
		return // its start is not written: the next start ends it
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := e.d.Ledger.EndStoppedOutages(ctx, e.now()); err != nil {
		e.notice(NoticeOutageNotRecorded, err.Error())
	}
}

// Alerts delivers later corrections raised to staff: in offline-first
// mode, a pass admitted offline that the service then found revoked. It is
// closed by Close.
func (e *Engine) Alerts() <-chan Result { return e.alerts }

// Config returns the configuration in use.
func (e *Engine) Config() Config { return e.set.Load().cfg }

// Status is what the status bar shows.
func (e *Engine) Status() Status {
	now := e.now()
	s := e.set.Load()
	var st Status
	cur, _, _ := e.br.state()
	st.Online = e.d.Service != nil && cur == nil
	if cur != nil {
		st.OutageSince, st.OutageCause = cur.Start, cur.Cause
	}
	tl, rl := e.lists.held()
	if tl != nil {
		st.TrustListAt = time.Unix(tl.IssuedAt, 0)
		st.TrustListStale = tl.Stale(now)
	} else {
		st.TrustListStale = true
	}
	st.RevocationsStale = rl == nil || now.Unix() > rl.Expires
	if e.d.Service != nil {
		if svc, local, ok := e.d.Service.Clock(); ok {
			st.ClockOffset = svc.Sub(local)
			st.ClockWarning = ClockOff(st.ClockOffset, s.cfg.Skew)
		}
	}
	st.Camera = CameraNone
	if e.d.Scanner != nil {
		st.Camera = e.d.Scanner.State()
	}
	if floor := e.trusted(); now.Before(floor.Add(-s.cfg.Skew)) {
		st.ClockBehind, st.TrustedTime = true, floor
	}
	st.Pending = int(max(e.pending.Load(), 0))
	st.Unrecorded = e.d.Ledger.Unrecorded()
	e.noticeMu.Lock()
	st.Notices = append(st.Notices, e.notices...)
	e.noticeMu.Unlock()
	for _, n := range e.d.Ledger.Notices() {
		st.Notices = append(st.Notices, Notice{Code: NoticeLedger, Detail: n})
	}
	return st
}

// notice keeps a one-off message for the manager; the same message is
// kept once.
func (e *Engine) notice(code NoticeCode, detail string) {
	msg := Notice{Code: code, Detail: detail}
	e.noticeMu.Lock()
	defer e.noticeMu.Unlock()
	for _, n := range e.notices {
		if n == msg {
			return
		}
	}
	if len(e.notices) >= 20 {
		e.notices = e.notices[1:]
	}
	e.notices = append(e.notices, msg)
}

func (e *Engine) event(kind EventKind, detail string, outage int64) {
	if e.d.Events != nil {
		e.d.Events(Event{Time: e.now(), Kind: kind, Detail: detail, OutageID: outage})
	}
}

// newID makes an entry ID: 128 random bits, the upload idempotency key.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
