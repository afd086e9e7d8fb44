package ui

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/app/configfile"
	"passdesk/pass"
)

const (
	managerPIN = "2468"
	staffPIN   = "1357"
	verdictFor = 4 * time.Second
)

var epoch = time.Date(2026, 3, 2, 12, 30, 0, 0, time.Local)

// rig is a kiosk window on fyne's test driver over the real engine, with
// fakes for the ledger, records, people and the verdict timer.
type rig struct {
	t      testing.TB
	win    fyne.Window
	k      *Kiosk
	eng    *app.Engine
	world  *apptest.World
	clock  *apptest.Clock
	ledger *apptest.Ledger
	people *people
	timers *timers

	ui      chan func()  // work for the UI goroutine, run by the test
	results []app.Result // verdicts shown and not yet looked at
	backlog []doneMsg    // finished work not yet waited for
	reloads int
}

type doneMsg struct {
	what string
	err  error
}

func newRig(t testing.TB, lang string, setup func(*app.Config, *people)) *rig {
	t.Helper()
	world, err := apptest.NewWorld(epoch)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, world: world, clock: apptest.NewClock(epoch), ledger: &apptest.Ledger{}, people: newPeople(), timers: &timers{},
		ui: make(chan func(), 100)}
	ctx := context.Background()
	if _, err := r.people.AddPerson(ctx, "Kim Manager", app.Manager, managerPIN); err != nil {
		t.Fatal(err)
	}
	if _, err := r.people.AddPerson(ctx, "Lee Staff", app.Staff, staffPIN); err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.Roots = []string{world.RootKey}
	cfg.Language = lang
	cfg.VenueID, cfg.KioskID = "cafe-1", "door"
	cfg.ConfigFile = filepath.Join(t.TempDir(), "config.toml")
	if setup != nil {
		setup(&cfg, r.people)
	}
	lists := &apptest.Lists{}
	if err := lists.Save(app.TrustListKind, app.ListDoc{Doc: world.TrustList}); err != nil {
		t.Fatal(err)
	}
	if err := lists.Save(app.RevocationsKind, app.ListDoc{Doc: world.Revocation}); err != nil {
		t.Fatal(err)
	}
	r.eng, err = app.New(cfg, app.Deps{Ledger: r.ledger, Records: records{r.ledger}, People: r.people, Lists: lists, Now: r.clock.Now,
		Config: configfile.Store{Path: cfg.ConfigFile}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.eng.Close() })

	a := test.NewTempApp(t)
	r.win = a.NewWindow("PassDesk")
	r.win.Resize(fyne.NewSize(1024, 768))
	r.k, err = New(a, r.win, r.eng, nil, Options{
		Now:            r.clock.Now,
		After:          r.timers.after,
		VerdictFor:     verdictFor,
		SystemLanguage: func() string { return Korean },
		Quit:           func() {},
		Do:             func(f func()) { r.ui <- f },
		OnResult:       func(res app.Result) { r.results = append(r.results, res) },
		OnDone:         func(what string, err error) { r.backlog = append(r.backlog, doneMsg{what, err}) },
		Reload:         func() { r.reloads++ },
		Logf:           t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.k.Close)
	return r
}

// wedge types text and Enter as a keyboard-wedge QR scanner does, and
// waits for the verdict.
func (r *rig) wedge(text string) app.Result {
	r.t.Helper()
	c := r.win.Canvas()
	test.TypeOnCanvas(c, text)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.runUntil("a verdict", func() bool { return len(r.results) > 0 })
	res := r.results[0]
	r.results = r.results[1:]
	return res
}

// runUntil runs the UI goroutine's work, as fyne's event loop would, until
// cond holds.
func (r *rig) runUntil(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case f := <-r.ui:
			f()
		case <-deadline:
			r.t.Fatalf("waited in vain for %s", what)
		}
	}
}

// drain runs the UI work already queued.
func (r *rig) drain() {
	for {
		select {
		case f := <-r.ui:
			f()
		default:
			return
		}
	}
}

// fire runs the pending timers of duration d and the UI work they queue.
func (r *rig) fire(d time.Duration) int {
	n := r.timers.fire(d)
	r.drain()
	return n
}

// wait waits for background work named what to finish and returns its
// error.
func (r *rig) wait(what string) error {
	r.t.Helper()
	var err error
	r.runUntil(what, func() bool {
		for i, d := range r.backlog {
			if d.what == what {
				r.backlog = append(r.backlog[:i], r.backlog[i+1:]...)
				err = d.err
				return true
			}
		}
		return false
	})
	return err
}

// enterPIN types pin into the PIN prompt on screen and signs in.
func (r *rig) enterPIN(pin string) error {
	r.t.Helper()
	p := r.k.pin
	if p == nil {
		r.t.Fatal("no PIN prompt on screen")
	}
	for _, d := range pin {
		test.Tap(p.keys[keyIndex(d)])
	}
	test.Tap(p.ok)
	return r.wait("pin")
}

// keyIndex finds a digit's key: the keypad holds 1-9 then 0.
func keyIndex(d rune) int {
	if d == '0' {
		return 9
	}
	return int(d - '1')
}

// openReview signs the manager in from the scan screen and waits for the
// day's review.
func (r *rig) openReview() {
	r.t.Helper()
	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(managerPIN); err != nil {
		r.t.Fatal(err)
	}
	if err := r.wait("review"); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) holderQR(name string) string {
	r.t.Helper()
	h, err := r.world.NewHolder(name, false)
	if err != nil {
		r.t.Fatal(err)
	}
	return h.Present(r.clock.Now())
}

func TestScanShowsVerdictThenClears(t *testing.T) {
	r := newRig(t, English, nil)
	res := r.wedge(r.holderQR("홍*동"))
	if res.Entry.Outcome != app.Admit {
		t.Fatalf("outcome %q (%s), want admit", res.Entry.Outcome, res.Verdict.Reason)
	}
	if !r.k.VerdictShown() || !r.k.verdict.Visible() {
		t.Fatal("no verdict on screen after an admitted scan")
	}
	v := r.k.verdict.text
	if got, want := v.Headline, "Entry allowed"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	if got, want := v.Name, "홍*동"; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
	if got, want := v.Detail, "Vaccinated"; got != want {
		t.Errorf("detail %q, want %q", got, want)
	}
	if got := test.WidgetRenderer(r.k.verdict).(*verdictRenderer).bg.FillColor; got != colorAdmit {
		t.Errorf("verdict colour %v, want the admit green", got)
	}
	if n := r.fire(verdictFor); n != 1 {
		t.Fatalf("%d verdict timers fired, want 1", n)
	}
	if r.k.VerdictShown() || r.k.verdict.Visible() {
		t.Error("the verdict did not clear after its time")
	}
}

func TestNextScanReplacesVerdict(t *testing.T) {
	r := newRig(t, English, nil)
	qr := r.holderQR("김*수")
	r.wedge(qr)
	res := r.wedge(qr)
	if res.Entry.Outcome != app.Duplicate {
		t.Fatalf("second scan of the same code: %q, want duplicate", res.Entry.Outcome)
	}
	if got, want := r.k.verdict.text.Headline, "Already checked in"; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	// The first verdict's timer was cancelled by the second scan.
	if n := r.fire(verdictFor); n != 1 {
		t.Errorf("%d verdict timers fired, want 1", n)
	}
}

func TestDenyShowsReasonAndWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		qr         func(r *rig) string
		reason     pass.Reason
		words      string
	}{
		{"malformed", English, func(*rig) string { return "PD1:NOT A PASS" }, pass.Malformed, "could not be read"},
		{"unsupported", Korean, func(*rig) string { return "https://example.org/menu" }, pass.UnsupportedFormat, "출입증이 아닙니다"},
		{"expired code", English, func(r *rig) string {
			qr := r.holderQR("박*영")
			r.clock.Add(time.Minute)
			return qr
		}, pass.QRExpired, "more than 15 seconds old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.lang, nil)
			res := r.wedge(tc.qr(r))
			if res.Verdict.Reason != tc.reason {
				t.Fatalf("reason %q, want %q", res.Verdict.Reason, tc.reason)
			}
			v := r.k.verdict.text
			if v.Kind != kindDeny {
				t.Errorf("kind %v, want deny", v.Kind)
			}
			if !strings.Contains(v.Detail, tc.words) {
				t.Errorf("detail %q does not say %q", v.Detail, tc.words)
			}
			if v.Action == "" || v.Action == r.k.t("do.unknown") {
				t.Errorf("no specific action for %s: %q", tc.reason, v.Action)
			}
		})
	}
}

func TestNotRecordedIsShown(t *testing.T) {
	r := newRig(t, English, nil)
	r.ledger.Fail = context.DeadlineExceeded
	res := r.wedge(r.holderQR("정*호"))
	if res.Recorded {
		t.Fatal("the ledger failed but the result says recorded")
	}
	v := r.k.verdict.text
	if v.Kind != kindNotRecorded || v.Headline != "Not recorded" {
		t.Errorf("verdict %v %q, want the not-recorded warning", v.Kind, v.Headline)
	}
}

func TestManualEntryNeedsStaffPIN(t *testing.T) {
	r := newRig(t, English, nil)
	test.Tap(r.k.scan.manual)
	if r.k.pin == nil {
		t.Fatal("Manual entry did not ask for a PIN")
	}
	if r.k.manual != nil {
		t.Fatal("the manual entry form opened before a PIN")
	}
	if err := r.enterPIN("9999"); err != app.ErrBadPIN {
		t.Fatalf("wrong PIN: %v, want ErrBadPIN", err)
	}
	if got, want := r.k.pin.errMsg.Text, "Wrong PIN"; got != want {
		t.Errorf("PIN error %q, want %q", got, want)
	}
	if r.k.manual != nil {
		t.Fatal("the manual entry form opened after a wrong PIN")
	}
	if err := r.enterPIN(staffPIN); err != nil {
		t.Fatal(err)
	}
	f := r.k.manual
	if f == nil {
		t.Fatal("no manual entry form after the staff PIN")
	}
	test.Tap(f.save)
	if !f.errMsg.Visible() {
		t.Error("saving without a name gave no error")
	}
	test.Type(f.name, "Choi Minsu")
	test.Type(f.phone, "010-1234-5678")
	f.reason.SetSelectedIndex(2)
	test.Type(f.note, "doctor's letter seen")
	test.Tap(f.save)
	if err := r.wait("manual"); err != nil {
		t.Fatal(err)
	}
	entries := r.ledger.Entries()
	if len(entries) != 1 {
		t.Fatalf("%d ledger entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Method != app.Manual || e.VisitorName != "Choi Minsu" || e.Staff != "Lee Staff" ||
		e.ManualReason != app.ReasonMedicalExemption || e.Phone != "010-1234-5678" || e.Note != "doctor's letter seen" {
		t.Errorf("recorded %+v", e)
	}
	if r.k.manual != nil {
		t.Error("the form stayed open after saving")
	}
	if m := r.k.scan.message; !m.Visible() || !strings.Contains(m.Text, "Choi Minsu") {
		t.Errorf("no confirmation after saving: %q", m.Text)
	}
	// The scanner's typed codes reach the scan screen again.
	if res := r.wedge("PD1:AFTER"); res.Verdict.Reason != pass.Malformed {
		t.Errorf("a wedge scan after the form: %q", res.Verdict.Reason)
	}
}

func TestManagerAreaNeedsManagerPINAndShowsTotals(t *testing.T) {
	r := newRig(t, English, nil)
	r.wedge(r.holderQR("홍*동"))
	r.fire(verdictFor)
	r.wedge(r.holderQR("김*수"))
	r.fire(verdictFor)
	r.wedge("PD1:BROKEN")
	r.fire(verdictFor)

	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(staffPIN); err != app.ErrNotAllowed {
		t.Fatalf("staff PIN for the manager area: %v, want ErrNotAllowed", err)
	}
	if r.k.manager != nil {
		t.Fatal("staff got into the manager area")
	}
	if err := r.enterPIN(managerPIN); err != nil {
		t.Fatal(err)
	}
	m := r.k.manager
	if m == nil {
		t.Fatal("no manager area after the manager PIN")
	}
	if err := r.wait("review"); err != nil {
		t.Fatal(err)
	}
	// The broken code was no pass: counted apart, not as checked offline.
	for key, want := range map[string]string{"total": "3", "admit": "2", "deny": "1", "manual": "0", "offline": "2", "unreadable": "1"} {
		if got := m.review.totals[key].Text; got != want {
			t.Errorf("total %s = %s, want %s", key, got, want)
		}
	}
	if got := m.review.chart.values[epoch.Hour()]; got != 2 {
		t.Errorf("admitted at %d:00 = %d, want 2", epoch.Hour(), got)
	}
	if m.review.noVisit.Visible() {
		t.Error("the chart says nobody was admitted on a day with two admissions")
	}
	if got, want := len(m.review.entries), 3; got != want {
		t.Errorf("list shows %d entries, want %d", got, want)
	}
	if got := m.review.entries[0].Reason; got != "malformed" {
		t.Errorf("first row %q, want the latest scan (the broken code): newest first", got)
	}
	if got, want := m.review.date.Text, "Mon 2 Mar 2026"; got != want {
		t.Errorf("day %q, want %q", got, want)
	}

	// Filtering to refusals leaves the one broken code.
	m.review.outcome.SetSelectedIndex(2)
	if err := r.wait("review"); err != nil {
		t.Fatal(err)
	}
	if got := len(m.review.entries); got != 1 {
		t.Errorf("refusals listed: %d, want 1", got)
	}

	// Paging: two at a time, then the rest.
	m.review.limit = 2
	m.review.outcome.SetSelectedIndex(0)
	if err := r.wait("review"); err != nil {
		t.Fatal(err)
	}
	if got := len(m.review.entries); got != 2 || !m.review.more.Visible() {
		t.Fatalf("first page: %d entries, more shown %v", got, m.review.more.Visible())
	}
	test.Tap(m.review.more)
	if err := r.wait("review"); err != nil {
		t.Fatal(err)
	}
	if got := len(m.review.entries); got != 3 || m.review.more.Visible() {
		t.Errorf("after Show more: %d entries, more shown %v", got, m.review.more.Visible())
	}

	var buf bytes.Buffer
	if err := m.review.export(epoch, "csv", "", &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Count(buf.String(), "\n") != 3 || !r.people.audited("export") {
		t.Errorf("export wrote %q, audited %v", buf.String(), r.people.audited("export"))
	}

	test.Tap(m.back)
	if r.k.screen != screenScan {
		t.Error("Back did not return to the scan screen")
	}
}

func TestLanguageSwitch(t *testing.T) {
	r := newRig(t, "", nil) // follows the system, Korean here
	if got, want := r.k.scan.manual.Text, "수기 등록"; got != want {
		t.Fatalf("button %q, want %q", got, want)
	}
	r.k.SetLanguage(English)
	if got, want := r.k.scan.manual.Text, "Manual entry"; got != want {
		t.Errorf("after switching to English: %q, want %q", got, want)
	}

	// A manager switches it back in the settings, which the engine saves.
	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(managerPIN); err != nil {
		t.Fatal(err)
	}
	s := r.k.manager.settings
	s.language.SetSelectedIndex(indexOf(languages, Korean))
	test.Tap(s.save)
	if err := r.wait("settings"); err != nil {
		t.Fatal(err)
	}
	if got := r.eng.Config().Language; got != Korean {
		t.Errorf("saved language %q, want ko", got)
	}
	if got, want := r.k.manager.back.Text, "확인 화면으로"; got != want {
		t.Errorf("manager screen after saving Korean: %q, want %q", got, want)
	}
	test.Tap(r.k.manager.back)
	if got, want := r.k.scan.manual.Text, "수기 등록"; got != want {
		t.Errorf("scan screen after saving Korean: %q, want %q", got, want)
	}
}

func TestSettingsRejectsBadInput(t *testing.T) {
	r := newRig(t, English, nil)
	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(managerPIN); err != nil {
		t.Fatal(err)
	}
	s := r.k.manager.settings
	s.retention.SetText("two weeks")
	test.Tap(s.save)
	if err := r.wait("settings"); err == nil {
		t.Fatal("a retention of \"two weeks\" was accepted")
	}
	if !s.errMsg.Visible() || !strings.Contains(s.errMsg.Text, "whole number") {
		t.Errorf("error shown: %q", s.errMsg.Text)
	}
	s.retention.SetText("14")
	kept := s.statuses.Selected
	s.statuses.SetSelected(nil)
	test.Tap(s.save)
	if err := r.wait("settings"); err == nil {
		t.Fatal("a policy admitting no status was saved")
	}
	if !strings.Contains(s.errMsg.Text, "at least one status") {
		t.Errorf("empty policy: %q", s.errMsg.Text)
	}
	if got := r.eng.Config().Policy.Statuses; len(got) != 0 {
		t.Errorf("the policy in use changed to %v", got)
	}
	s.statuses.SetSelected(kept)
	s.server.SetText("ftp://nowhere")
	test.Tap(s.save)
	if err := r.wait("settings"); err == nil {
		t.Fatal("an ftp service URL was accepted")
	}
	if !strings.Contains(s.errMsg.Text, "server_url") {
		t.Errorf("error shown: %q", s.errMsg.Text)
	}
	s.server.SetText("http://192.0.2.10:8787")
	test.Tap(s.save)
	if err := r.wait("settings"); err == nil {
		t.Fatal("plain http to another machine was accepted")
	}
	if !strings.Contains(s.errMsg.Text, "https://") {
		t.Errorf("error shown: %q", s.errMsg.Text)
	}
	s.server.SetText("https://verify.example.org")
	test.Tap(s.save)
	if err := r.wait("settings"); err != nil {
		t.Fatal(err)
	}
	if r.reloads != 1 {
		t.Errorf("a new service URL reloaded the kiosk %d times, want 1", r.reloads)
	}
}

func TestStaffManagement(t *testing.T) {
	r := newRig(t, English, nil)
	test.Tap(r.k.scan.managerB)
	if err := r.enterPIN(managerPIN); err != nil {
		t.Fatal(err)
	}
	st := r.k.manager.staff
	if err := r.wait("staff"); err != nil {
		t.Fatal(err)
	}
	test.Type(st.name, "Park Staff")
	test.Type(st.pin, "1122")
	test.Type(st.pin2, "1123")
	test.Tap(st.add)
	if got, want := st.errMsg.Text, "The two PINs differ."; got != want {
		t.Errorf("mismatched PINs: %q, want %q", got, want)
	}
	st.pin.SetText("12")
	st.pin2.SetText("12")
	test.Tap(st.add)
	if got, want := st.errMsg.Text, "A PIN is 4 to 12 digits."; got != want {
		t.Errorf("short PIN: %q, want %q", got, want)
	}
	st.pin.SetText(staffPIN)
	st.pin2.SetText(staffPIN)
	test.Tap(st.add)
	r.wait("staff")
	if got := st.errMsg.Text; !strings.HasPrefix(got, "Someone already has this PIN") {
		t.Errorf("PIN in use: %q", got)
	}
	st.pin.SetText("1122")
	st.pin2.SetText("1122")
	test.Tap(st.add)
	if err := r.wait("staff"); err != nil {
		t.Fatal(err)
	}
	if len(st.people) != 3 {
		t.Fatalf("%d people listed, want 3", len(st.people))
	}
	if _, err := r.people.SignIn(context.Background(), "1122"); err != nil {
		t.Errorf("the new PIN does not sign in: %v", err)
	}
}

func TestFirstRunSetup(t *testing.T) {
	r := newRig(t, English, func(c *app.Config, p *people) {
		c.Roots = nil
		p.byPIN = map[string]app.Person{}
	})
	s := r.k.setup
	if r.k.screen != screenSetup || s == nil {
		t.Fatal("no setup screen on a first run")
	}
	test.Tap(s.save)
	if !s.errMsg.Visible() {
		t.Error("setup without a manager gave no error")
	}
	test.Type(s.name, "Kim Owner")
	test.Type(s.pin, "8642")
	test.Type(s.pin2, "8642")
	test.Tap(s.save)
	if err := r.wait("setup"); err != nil {
		t.Fatal(err)
	}
	if got := r.eng.Config().ServerURL; got != DemoServer {
		t.Errorf("service %q, want the demo service", got)
	}
	if got := r.eng.Config().Camera; got != "demo:"+DemoServer {
		t.Errorf("camera %q, want the demo source", got)
	}
	if r.reloads != 1 {
		t.Errorf("setup reloaded the kiosk %d times, want 1", r.reloads)
	}
	if who, err := r.people.SignIn(context.Background(), "8642"); err != nil || who.Role != app.Manager {
		t.Errorf("first manager: %+v, %v", who, err)
	}
}

func TestStatusBarShowsOutageAndCamera(t *testing.T) {
	r := newRig(t, English, nil)
	r.k.refreshStatus()
	s := r.k.scan
	if !s.banner.Visible() {
		t.Error("no outage banner with no service")
	}
	if got := s.bannerText.Text; !strings.HasPrefix(got, "No verification service is set") {
		t.Errorf("banner with no service configured: %q", got)
	}
	if got := s.camera.Text; got != "No camera" {
		t.Errorf("camera %q", got)
	}
	if !strings.HasPrefix(s.trust.Text, "Trust list") {
		t.Errorf("trust list status %q", s.trust.Text)
	}
	test.Tap(s.bannerEntry)
	if r.k.pin == nil {
		t.Error("the banner's Record manual entry did not ask for a PIN")
	}
}

func TestKioskModeCloseNeedsManager(t *testing.T) {
	world, err := apptest.NewWorld(epoch)
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.Roots = []string{world.RootKey}
	p := newPeople()
	if _, err := p.AddPerson(context.Background(), "M", app.Manager, managerPIN); err != nil {
		t.Fatal(err)
	}
	eng, err := app.New(cfg, app.Deps{Ledger: &apptest.Ledger{}, People: p})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	a := test.NewTempApp(t)
	w := a.NewWindow("")
	quit := 0
	k, err := New(a, w, eng, nil, Options{KioskMode: true, Quit: func() { quit++ }, SystemLanguage: func() string { return English },
		Do: func(func()) {}}) // background loads are not looked at here
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if !w.FullScreen() {
		t.Error("kiosk mode is not full screen")
	}
	k.onClose()
	if quit != 0 || k.pin == nil {
		t.Fatalf("closing in kiosk mode: quit %d, PIN prompt %v", quit, k.pin != nil)
	}

	// Leaving full screen, and coming back to it without a restart.
	k.pin.onCancel()
	k.showManager(app.Person{Name: "M", Role: app.Manager, Active: true})
	m := k.manager
	if !m.leave.Visible() || m.enter.Visible() {
		t.Fatalf("in full screen: leave %v, enter %v", m.leave.Visible(), m.enter.Visible())
	}
	test.Tap(m.leave)
	if w.FullScreen() || !m.enter.Visible() {
		t.Fatalf("after leaving: full screen %v, enter offered %v", w.FullScreen(), m.enter.Visible())
	}
	test.Tap(m.enter)
	if !w.FullScreen() || !m.leave.Visible() || m.enter.Visible() {
		t.Errorf("after going back: full screen %v, leave %v, enter %v", w.FullScreen(), m.leave.Visible(), m.enter.Visible())
	}
}

func TestFullDiskOffersPaperNotes(t *testing.T) {
	for _, c := range []struct{ lang, want, action string }{{English, "on paper", "on paper"}, {Korean, "종이에 적으세요", "종이에 적고"}} {
		t.Run(c.lang, func(t *testing.T) {
			r := newRig(t, c.lang, nil)
			r.ledger.SetFull(errors.New("database or disk is full"))
			if res := r.wedge(r.holderQR("정*호")); res.Recorded {
				t.Fatal("recorded on a full disk")
			}
			if v := r.k.verdict.text; v.Kind != kindNotRecorded || !strings.Contains(v.Action, c.action) {
				t.Errorf("verdict action %q, want a paper note", v.Action)
			}
			r.k.clearVerdict()
			r.k.refreshStatus()
			s := r.k.scan
			if !s.full.Visible() || !strings.Contains(s.fullText.Text, c.want) || !strings.Contains(s.fullText.Text, "1") {
				t.Errorf("full-disk banner visible %v, %q", s.full.Visible(), s.fullText.Text)
			}
			// Sign-in only reads: staff still reach the manual entry form.
			test.Tap(s.manual)
			if err := r.enterPIN(staffPIN); err != nil {
				t.Fatalf("sign-in on a full disk: %v", err)
			}
			if r.k.manual == nil {
				t.Error("no manual entry form after signing in on a full disk")
			}
			r.ledger.SetFull(nil)
			if err := r.ledger.Resume(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.k.showScan()
			if s := r.k.scan; s.full.Visible() {
				t.Error("the full-disk banner stays once recording resumed")
			}
		})
	}
}

func TestBannerLeavesNoStrip(t *testing.T) {
	r := newRig(t, English, nil)
	s := r.k.scan
	s.showStatus(app.Status{TrustListAt: epoch})
	if !s.banner.Visible() || s.view.Position().Y == 0 {
		t.Fatalf("outage banner visible %v, preview at y=%v", s.banner.Visible(), s.view.Position().Y)
	}
	s.showStatus(app.Status{Online: true, TrustListAt: epoch})
	if s.banner.Visible() {
		t.Fatal("banner still up once online")
	}
	if y := s.view.Position().Y; y != 0 {
		t.Errorf("preview at y=%v after the outage ended, want 0 (no blank strip)", y)
	}
}

func TestReviewSpeaksKorean(t *testing.T) {
	r := newRig(t, Korean, nil)
	if _, err := r.ledger.OpenOutage(context.Background(), epoch, "connection refused"); err != nil {
		t.Fatal(err)
	}
	r.openReview()
	rv := r.k.manager.review
	if got, want := rv.date.Text, "2026년 3월 2일 (월)"; got != want {
		t.Errorf("day %q, want %q", got, want)
	}
	if got := rv.outages.Text; !strings.Contains(got, "연결 거부됨") || strings.Contains(got, "refused") {
		t.Errorf("outage cause %q, want it in Korean", got)
	}
	if got := rv.totals["unreadable"]; got == nil {
		t.Error("no unreadable total")
	}
	if !rv.noVisit.Visible() || rv.noVisit.Text != "이 날 입장한 사람이 없습니다" {
		t.Errorf("empty chart: note visible %v, %q", rv.noVisit.Visible(), rv.noVisit.Text)
	}
}

func TestNoTrustListSaysTheTruth(t *testing.T) {
	for _, c := range []struct{ lang, want string }{{English, "cannot check any pass"}, {Korean, "어떤 출입증도 확인할 수 없습니다"}} {
		t.Run(c.lang, func(t *testing.T) {
			r := newRig(t, c.lang, nil)
			s := r.k.scan
			s.showStatus(app.Status{Online: true, TrustListStale: true})
			if !s.banner.Visible() || !strings.Contains(s.bannerText.Text, c.want) {
				t.Errorf("no trust list: banner visible %v, %q", s.banner.Visible(), s.bannerText.Text)
			}
			if !s.bannerEntry.Visible() {
				t.Error("the banner does not offer Manual entry")
			}
		})
	}
}

func TestNoCameraIsPlain(t *testing.T) {
	r := newRig(t, English, nil)
	r.k.refreshStatus()
	s := r.k.scan
	if s.guide.Visible() {
		t.Error("the framing guide stays with no camera")
	}
	if !s.noCamera.Visible() || !strings.Contains(s.noCamera.Text, "handheld QR scanner") || s.noCamera.SizeName != theme.SizeNameHeadingText {
		t.Errorf("no-camera text visible %v, %q, size %q", s.noCamera.Visible(), s.noCamera.Text, s.noCamera.SizeName)
	}
}

func TestPINPopUpGrowsWithItsMessage(t *testing.T) {
	for _, lang := range []string{English, Korean} {
		t.Run(lang, func(t *testing.T) {
			r := newRig(t, lang, nil)
			test.Tap(r.k.scan.managerB)
			p := r.k.pin
			before := p.popup.Content.Size().Height
			for range 3 {
				if err := r.enterPIN("9999"); err == nil {
					t.Fatal("a wrong PIN signed in")
				}
			}
			if !p.errMsg.Visible() {
				t.Fatal("no message after wrong PINs")
			}
			d := fyne.CurrentApp().Driver()
			box := p.popup.Content
			boxPos, boxSize := d.AbsolutePositionForObject(box), box.Size()
			if boxSize.Height < box.MinSize().Height || boxSize.Height <= before {
				t.Errorf("box %v tall (was %v), content needs %v", boxSize.Height, before, box.MinSize().Height)
			}
			for name, o := range map[string]fyne.CanvasObject{"message": p.errMsg, "OK": p.ok, "Cancel": p.cancel} {
				pos := d.AbsolutePositionForObject(o)
				if pos.Y+o.Size().Height > boxPos.Y+boxSize.Height+0.5 || pos.X+o.Size().Width > boxPos.X+boxSize.Width+0.5 {
					t.Errorf("%s at %v size %v is outside the box at %v size %v", name, pos, o.Size(), boxPos, boxSize)
				}
			}
			if h, need := p.errMsg.Size().Height, p.errMsg.MinSize().Height; h < need {
				t.Errorf("message %v tall, needs %v: clipped", h, need)
			}
		})
	}
}

// A key pressed by accident at the desk, long before a visitor's scan,
// must not become the first character of that scan: the pass would be
// refused as malformed. A wedge scanner types a code in well under a
// second, so what was typed before a pause is dropped.
func TestStrayKeyBeforeAScanIsDropped(t *testing.T) {
	r := newRig(t, English, nil)
	test.TypeOnCanvas(r.win.Canvas(), "x")
	r.clock.Add(wedgePause + time.Second)
	if res := r.wedge(r.holderQR("홍*동")); res.Entry.Outcome != app.Admit {
		t.Fatalf("a scan after a stray key: %q (%s), want admit", res.Entry.Outcome, res.Verdict.Reason)
	}
}

// A key held down, or a scanner that never sends Enter, must not grow
// the kiosk's memory without bound; the text, when Enter comes, is
// refused as too long.
func TestEndlessTypingIsBounded(t *testing.T) {
	r := newRig(t, English, nil)
	c := r.win.Canvas()
	long := strings.Repeat("PD1:ABCDEFGH", 1<<10)
	for i := 0; i < 16; i++ {
		test.TypeOnCanvas(c, long)
	}
	if n := r.k.scan.typed.Len(); n > maxWedge {
		t.Fatalf("%d bytes held of typing without Enter, more than %d", n, maxWedge)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.runUntil("a verdict", func() bool { return len(r.results) > 0 })
	if res := r.results[0]; res.Verdict.Reason != pass.Malformed {
		t.Fatalf("an endless text: %q, want malformed", res.Verdict.Reason)
	}
}

// An outage a stopped kiosk left open says so in the review, in place of
// an end time that would read as the service's return.
func TestReviewSaysAnOutageEndedWithTheKiosk(t *testing.T) {
	r := newRig(t, English, nil)
	ctx := context.Background()
	if _, err := r.ledger.OpenOutage(ctx, epoch, "connection refused"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ledger.EndStoppedOutages(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r.openReview()
	if got := r.k.manager.review.outages.Text; !strings.Contains(got, "(kiosk stopped)") || strings.Contains(got, "ongoing") {
		t.Errorf("outages %q, want the end marked as the kiosk's stop", got)
	}
}
