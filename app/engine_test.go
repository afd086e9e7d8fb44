package app_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/pass"
)

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type rig struct {
	w      *apptest.World
	clock  *apptest.Clock
	ledger *apptest.Ledger
	svc    *apptest.Service
	lists  *apptest.Lists
	e      *app.Engine
	events chan app.Event
}

// newRig makes an engine on fakes. The lists are on "disk" already, so the
// engine verifies offline from the start.
func newRig(t testing.TB, mutate func(*app.Config, *app.Deps)) *rig {
	t.Helper()
	w, err := apptest.NewWorld(epoch)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{w: w, clock: apptest.NewClock(epoch), ledger: &apptest.Ledger{}, svc: apptest.NewService(w),
		lists: &apptest.Lists{}, events: make(chan app.Event, 100)}
	r.lists.Save(app.TrustListKind, app.ListDoc{Doc: w.TrustList})
	r.lists.Save(app.RevocationsKind, app.ListDoc{Doc: w.Revocation})
	cfg := app.DefaultConfig()
	cfg.Roots = []string{w.RootKey}
	cfg.VenueID, cfg.KioskID = "venue-1", "kiosk-1"
	d := app.Deps{
		Ledger: r.ledger, Service: r.svc, Lists: r.lists, Now: r.clock.Now,
		Events: func(ev app.Event) {
			select {
			case r.events <- ev:
			default:
			}
		},
		Timing: app.Timing{ProbeEvery: 5 * time.Millisecond, ProbeMax: 20 * time.Millisecond,
			BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond, RecoveryJitter: -1,
			UploadRate: 1000, UploadIdle: 20 * time.Millisecond},
	}
	if mutate != nil {
		mutate(&cfg, &d)
	}
	r.e, err = app.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.e.Close() })
	return r
}

func (r *rig) holder(t testing.TB, revoked bool) *apptest.Holder {
	t.Helper()
	h, err := r.w.NewHolder("홍*동", revoked)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (r *rig) roots(t testing.TB) []ed25519.PublicKey {
	k, err := pass.ParseRootKey(r.w.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	return []ed25519.PublicKey{k}
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestScanOnline(t *testing.T) {
	r := newRig(t, nil)
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if !res.Recorded || res.Err != nil {
		t.Fatalf("not recorded: %v", res.Err)
	}
	if got, want := res.Entry.Outcome, app.Admit; got != want {
		t.Errorf("outcome %q, want %q", got, want)
	}
	if got, want := res.Entry.Method, app.Online; got != want {
		t.Errorf("method %q, want %q", got, want)
	}
	if got, want := res.Entry.Name, "홍*동"; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
	if res.Entry.ID == "" || res.Entry.Seq != 1 {
		t.Errorf("entry %q seq %d", res.Entry.ID, res.Entry.Seq)
	}
}

func TestScanOnlineDeny(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{Reason: "revoked"}, nil
	})
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if res.Verdict.Admit || res.Entry.Outcome != app.Deny || res.Entry.Reason != "revoked" || res.Entry.Method != app.Online {
		t.Fatalf("got %+v", res.Entry)
	}
}

func TestGarbageNeverReachesService(t *testing.T) {
	r := newRig(t, nil)
	for _, text := range []string{"", "hello", "HC1:NOTREALLY", "PD1:", "PD1:$$$", string(make([]byte, 5000))} {
		res := r.e.Scan(context.Background(), text)
		if res.Verdict.Admit || res.Entry.Outcome != app.Deny {
			t.Errorf("%.20q: admitted", text)
		}
		if res.Entry.Reason != string(pass.UnsupportedFormat) && res.Entry.Reason != string(pass.Malformed) {
			t.Errorf("%.20q: reason %q", text, res.Entry.Reason)
		}
		if res.Entry.Method != app.Offline {
			t.Errorf("%.20q: method %q", text, res.Entry.Method)
		}
	}
	if n := r.svc.Calls("verify"); n != 0 {
		t.Errorf("service saw %d verify calls", n)
	}
}

func TestFallbackOffline(t *testing.T) {
	cases := []struct {
		name string
		err  error
		hang bool
	}{
		{"timeout", nil, true},
		{"refused", &app.Unavailable{Cause: "connection refused"}, false},
		{"http 503", &app.Unavailable{Cause: "http 503"}, false},
		{"bad request", errors.New("http 400"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, func(cfg *app.Config, d *app.Deps) { cfg.Deadline = 100 * time.Millisecond })
			r.svc.SetVerify(func(ctx context.Context, _ app.Check) (app.OnlineVerdict, error) {
				if c.hang {
					<-ctx.Done()
					return app.OnlineVerdict{}, ctx.Err()
				}
				return app.OnlineVerdict{}, c.err
			})
			res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
			if !res.Verdict.Admit || res.Entry.Method != app.Offline || !res.Recorded {
				t.Fatalf("got %+v (%v)", res.Entry, res.Err)
			}
			if res.Took > 150*time.Millisecond {
				t.Errorf("took %v, deadline 100ms", res.Took)
			}
			revoked := r.e.Scan(context.Background(), r.holder(t, true).Present(epoch))
			if revoked.Verdict.Admit || revoked.Entry.Reason != "revoked" {
				t.Errorf("revoked pass offline: %+v", revoked.Entry)
			}
		})
	}
}

func TestUnreadableAnswerFallsBack(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{Admit: true, Reason: "revoked"}, nil
	})
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if res.Entry.Method != app.Offline || !res.Verdict.Admit {
		t.Fatalf("got %+v", res.Entry)
	}
}

func TestBreakerOutage(t *testing.T) {
	r := newRig(t, nil)
	r.e.Start(context.Background())
	eventually(t, "first list sync", func() bool { return r.svc.Calls("list") >= 2 })
	r.svc.SetDown(&app.Unavailable{Cause: "http 503"})

	h := r.holder(t, false)
	for i := range 2 {
		res := r.e.Scan(context.Background(), h.Present(epoch.Add(time.Duration(i)*time.Second)))
		if res.Entry.Method != app.Offline || !res.Verdict.Admit {
			t.Fatalf("scan %d: %+v", i, res.Entry)
		}
	}
	eventually(t, "outage", func() bool { return len(r.ledger.Outages()) > 0 })
	out := r.ledger.Outages()
	if len(out) != 1 || out[0].Cause != "http 503" || !out[0].End.IsZero() {
		t.Fatalf("outages %+v", out)
	}
	st := r.e.Status()
	if st.Online || st.OutageCause != "http 503" {
		t.Errorf("status %+v", st)
	}
	calls := r.svc.Calls("verify")
	res := r.e.Scan(context.Background(), h.Present(epoch.Add(3*time.Second)))
	if r.svc.Calls("verify") != calls {
		t.Error("a scan reached the service while the breaker was open")
	}
	if res.Entry.OutageID != out[0].ID {
		t.Errorf("entry outage %d, want %d", res.Entry.OutageID, out[0].ID)
	}

	r.clock.Add(time.Minute)
	r.svc.SetDown(nil)
	eventually(t, "recovery", func() bool { return r.e.Status().Online })
	eventually(t, "the outage's end", func() bool { return !r.ledger.Outages()[0].End.IsZero() })
	out = r.ledger.Outages()
	if got, want := out[0].End, epoch.Add(time.Minute); !got.Equal(want) {
		t.Errorf("outage end %v, want %v", got, want)
	}
	eventually(t, "uploads", func() bool { return len(r.svc.Register()) == 3 })
	for id, n := range r.svc.Register() {
		if n != 1 {
			t.Errorf("entry %s uploaded %d times", id, n)
		}
	}
	var kinds []app.EventKind
	eventually(t, "outage end event", func() bool { return len(r.events) >= 2 })
	for len(r.events) > 0 {
		kinds = append(kinds, (<-r.events).Kind)
	}
	if !contains(kinds, app.EventOutageStart) || !contains(kinds, app.EventOutageEnd) {
		t.Errorf("events %v", kinds)
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestRetryAfterTripsAtOnce(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{}, &app.Unavailable{Cause: "http 429", RetryAfter: time.Second}
	})
	r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	eventually(t, "outage", func() bool { return len(r.ledger.Outages()) > 0 })
	if out := r.ledger.Outages(); len(out) != 1 || out[0].Cause != "http 429" {
		t.Fatalf("outages %+v", out)
	}
}

func TestDuplicate(t *testing.T) {
	r := newRig(t, nil)
	text := r.holder(t, false).Present(epoch)
	first := r.e.Scan(context.Background(), text)
	r.clock.Add(10 * time.Second)
	second := r.e.Scan(context.Background(), text)
	if first.Entry.Outcome != app.Admit {
		t.Fatalf("first %+v", first.Entry)
	}
	if second.Entry.Outcome != app.Duplicate || second.Entry.Reason != "duplicate" || second.Verdict.Admit || !second.Recorded {
		t.Fatalf("second %+v", second.Entry)
	}
	if n := r.svc.Calls("verify"); n != 1 {
		t.Errorf("%d verify calls, want 1", n)
	}
	r.clock.Add(11 * time.Second) // 21 s after iat: stale
	third := r.e.Scan(context.Background(), text)
	if third.Entry.Outcome == app.Duplicate {
		t.Errorf("stale presentation still a duplicate")
	}
}

func TestDuplicateConcurrent(t *testing.T) {
	r := newRig(t, nil)
	text := r.holder(t, false).Present(epoch)
	var wg sync.WaitGroup
	results := make([]app.Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = r.e.Scan(context.Background(), text)
		}()
	}
	wg.Wait()
	admits := 0
	for _, res := range results {
		switch res.Entry.Outcome {
		case app.Admit:
			admits++
		case app.Duplicate:
		default:
			t.Errorf("outcome %q", res.Entry.Outcome)
		}
	}
	if admits != 1 {
		t.Errorf("%d admits, want 1", admits)
	}
}

func TestDeniedIsNotDuplicate(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{Reason: "revoked"}, nil
	})
	text := r.holder(t, false).Present(epoch)
	r.e.Scan(context.Background(), text)
	if res := r.e.Scan(context.Background(), text); res.Entry.Outcome != app.Deny {
		t.Errorf("outcome %q, want deny", res.Entry.Outcome)
	}
}

func TestNotRecorded(t *testing.T) {
	r := newRig(t, nil)
	r.ledger.Fail = errors.New("disk full")
	text := r.holder(t, false).Present(epoch)
	res := r.e.Scan(context.Background(), text)
	if res.Recorded || res.Err == nil || res.Verdict.Admit {
		t.Fatalf("got %+v err %v", res.Entry, res.Err)
	}
	r.ledger.Fail = nil
	if res := r.e.Scan(context.Background(), text); res.Entry.Outcome != app.Admit {
		t.Errorf("after a failed record the pass is %q, want admit", res.Entry.Outcome)
	}
}

func TestOfflineOnlyWithoutService(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Service = nil })
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if !res.Verdict.Admit || res.Entry.Method != app.Offline {
		t.Fatalf("got %+v", res.Entry)
	}
	if st := r.e.Status(); st.Online || st.Pending != 1 {
		t.Errorf("status %+v", st)
	}
}

func TestNoListsDeniesOffline(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Service = nil; d.Lists = nil })
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if res.Verdict.Admit || res.Entry.Reason != string(pass.TrustListStale) {
		t.Fatalf("got %+v", res.Entry)
	}
	if st := r.e.Status(); !st.TrustListStale || !st.RevocationsStale {
		t.Errorf("status %+v", st)
	}
}

func TestOfflineFirstAlert(t *testing.T) {
	r := newRig(t, func(cfg *app.Config, _ *app.Deps) { cfg.Mode = app.OfflineFirst })
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{Reason: "revoked"}, nil
	})
	res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
	if !res.Verdict.Admit || res.Entry.Method != app.Offline {
		t.Fatalf("got %+v", res.Entry)
	}
	select {
	case a := <-r.e.Alerts():
		if !a.Alert || a.Entry.Corrects != res.Entry.ID || a.Entry.Reason != "revoked" || a.Entry.Outcome != app.Deny {
			t.Errorf("alert %+v", a.Entry)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no alert")
	}
	if n := len(r.ledger.Entries()); n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
}

func TestListSync(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Lists = &apptest.Lists{} })
	if st := r.e.Status(); !st.TrustListStale {
		t.Fatal("trust list held before sync")
	}
	forged, err := r.w.Forged()
	if err != nil {
		t.Fatal(err)
	}
	r.svc.SetList(app.TrustListKind, forged)
	r.e.Start(context.Background())
	eventually(t, "refusal", func() bool { return len(r.e.Status().Notices) > 0 })
	if st := r.e.Status(); !st.TrustListStale {
		t.Error("forged trust list taken")
	}
	r.svc.SetList(app.TrustListKind, r.w.TrustList)
	r.e.Close()

	// A new engine on the same store: the good list arrives and is kept.
	r2 := newRig(t, nil)
	store := &apptest.Lists{}
	e, err := app.New(r2.e.Config(), app.Deps{Ledger: r2.ledger, Service: r2.svc, Lists: store, Now: r2.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Start(context.Background())
	eventually(t, "trust list", func() bool { return !e.Status().TrustListStale })
	if _, err := store.Load(app.TrustListKind); err != nil {
		t.Errorf("trust list not kept: %v", err)
	}
	if !e.Status().TrustListAt.Equal(epoch.Add(-time.Hour)) {
		t.Errorf("trust list at %v", e.Status().TrustListAt)
	}
}

func TestRollbackRefused(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetList(app.TrustListKind, r.w.OldTrust)
	r.e.Start(context.Background())
	eventually(t, "refusal event", func() bool {
		for {
			select {
			case ev := <-r.events:
				if ev.Kind == app.EventListRefused {
					return true
				}
			default:
				return false
			}
		}
	})
	if d, _ := r.lists.Load(app.TrustListKind); string(d.Doc) != string(r.w.TrustList) {
		t.Error("rolled-back list replaced the good one on disk")
	}
	if res := r.e.Scan(context.Background(), r.holder(t, false).Present(epoch)); !res.Verdict.Admit {
		t.Errorf("after a refused list: %+v", res.Entry)
	}
}

func TestClockWarning(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetClock(epoch.Add(time.Minute), epoch)
	st := r.e.Status()
	if st.ClockOffset != time.Minute || !st.ClockWarning {
		t.Errorf("offset %v warning %v", st.ClockOffset, st.ClockWarning)
	}
	r.svc.SetClock(epoch.Add(2*time.Second), epoch)
	if st := r.e.Status(); st.ClockWarning {
		t.Errorf("warning at 2s")
	}
}

func TestClockWarningEvent(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetClock(epoch.Add(-time.Minute), epoch)
	r.e.Start(context.Background())
	eventually(t, "clock warning", func() bool {
		for {
			select {
			case ev := <-r.events:
				if ev.Kind == app.EventClockWarning {
					return true
				}
			default:
				return false
			}
		}
	})
}

func TestRecordManual(t *testing.T) {
	r := newRig(t, nil)
	staff := app.Person{ID: 1, Name: "Kim", Role: app.Staff, Active: true}
	if _, err := r.e.RecordManual(context.Background(), staff, app.Entry{ManualReason: app.ReasonNoPhone}); !errors.Is(err, app.ErrNoVisitorName) {
		t.Errorf("no name: %v", err)
	}
	if _, err := r.e.RecordManual(context.Background(), staff, app.Entry{VisitorName: "Lee"}); !errors.Is(err, app.ErrNoManualReason) {
		t.Errorf("no reason: %v", err)
	}
	if _, err := r.e.RecordManual(context.Background(), app.Person{}, app.Entry{VisitorName: "Lee", ManualReason: app.ReasonOther}); !errors.Is(err, app.ErrNotAllowed) {
		t.Errorf("nobody: %v", err)
	}
	got, err := r.e.RecordManual(context.Background(), staff, app.Entry{VisitorName: " Lee ", Phone: "010-1234-5678", ManualReason: app.ReasonNoPhone})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.Method != app.Manual || got.Outcome != app.Admit || got.Staff != "Kim" || got.VisitorName != "Lee" || !got.Time.Equal(epoch) {
		t.Errorf("got %+v", got)
	}
}

func TestDrainAndClose(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetDown(&app.Unavailable{Cause: "timeout"})
	h := r.holder(t, false)
	for i := range 3 {
		r.e.Scan(context.Background(), h.Present(epoch.Add(time.Duration(i)*time.Second)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if left, err := r.e.Drain(ctx); err == nil || left != 3 {
		t.Errorf("drain during an outage: %d left, %v", left, err)
	}
	r.svc.SetDown(nil) // back, though the prober has not seen it yet
	if left, err := r.e.Drain(context.Background()); err != nil || left != 0 {
		t.Errorf("drain after the outage: %d left, %v", left, err)
	}
	if !r.e.Status().Online {
		t.Error("still in an outage after a drain that reached the service")
	}
	r2 := newRig(t, nil)
	h2 := r2.holder(t, false)
	for i := range 3 {
		r2.e.Scan(context.Background(), h2.Present(epoch.Add(time.Duration(i)*time.Second)))
	}
	if left, err := r2.e.Drain(context.Background()); err != nil || left != 0 {
		t.Errorf("drain: %d left, %v", left, err)
	}
	if got := len(r2.svc.Register()); got != 3 {
		t.Errorf("register holds %d", got)
	}
	r2.e.Close()
	r2.e.Start(context.Background()) // after Close: nothing starts
	if a, ok := <-r2.e.Alerts(); ok {
		t.Errorf("alerts open after Close: %+v", a)
	}
}

// hc1 is a scheme that admits every text with its prefix.
type hc1 struct{}

func (hc1) Prefix() string { return "HC1:" }
func (hc1) Verify(text string, _ pass.Policy, _ time.Time) pass.Verdict {
	return pass.Verdict{Admit: true, Reason: pass.OK, Name: "Musterfrau", Issuer: "DE"}
}

func TestSchemeDuplicate(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Schemes = []pass.Scheme{hc1{}} })
	first := r.e.Scan(context.Background(), "HC1:ABC")
	if first.Entry.Outcome != app.Admit || first.Entry.Scheme != "HC1" || first.Entry.Method != app.Offline {
		t.Fatalf("first %+v", first.Entry)
	}
	r.clock.Add(5 * time.Second)
	if again := r.e.Scan(context.Background(), "HC1:ABC"); again.Entry.Outcome != app.Duplicate {
		t.Errorf("again: %q", again.Entry.Outcome)
	}
	r.clock.Add(30 * time.Second)
	if later := r.e.Scan(context.Background(), "HC1:ABC"); later.Entry.Outcome != app.Admit {
		t.Errorf("later: %q", later.Entry.Outcome)
	}
	if n := r.svc.Calls("verify"); n != 0 {
		t.Errorf("HC1 reached the service %d times", n)
	}
}

// A kiosk nobody scans at must still notice the service falling, and
// say so, without a visitor's scan waiting out the deadline to find it;
// and notice it coming back.
func TestIdleKioskNoticesTheOutage(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Timing.IdleCheck = 30 * time.Millisecond })
	r.e.Start(context.Background())
	eventually(t, "first list sync", func() bool { return r.svc.Calls("list") >= 2 })
	eventually(t, "an idle health check", func() bool { return r.svc.Calls("health") >= 1 })
	if !r.e.Status().Online {
		t.Fatalf("status %+v while the service is up", r.e.Status())
	}
	r.svc.SetDown(&app.Unavailable{Cause: "dial tcp: connection refused"})
	eventually(t, "the outage, with no scan", func() bool { return !r.e.Status().Online })
	if st := r.e.Status(); st.OutageCause != "dial tcp: connection refused" {
		t.Errorf("outage cause %q", st.OutageCause)
	}
	if n := r.svc.Calls("verify"); n != 0 {
		t.Errorf("%d verifications, want none", n)
	}
	r.svc.SetDown(nil)
	eventually(t, "recovery", func() bool { return r.e.Status().Online })
}

// While the service answers other calls, no health check is added.
func TestBusyKioskSendsNoIdleChecks(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Timing.IdleCheck = 200 * time.Millisecond })
	r.e.Start(context.Background())
	for range 40 {
		r.e.Scan(context.Background(), r.holder(t, false).Present(epoch))
		time.Sleep(10 * time.Millisecond)
	}
	if n := r.svc.Calls("verify"); n != 40 {
		t.Fatalf("%d verifications reached the service, want 40", n)
	}
	if n := r.svc.Calls("health"); n != 0 {
		t.Errorf("%d health checks while scans reached the service every 10 ms", n)
	}
}

// An outage the last run left open (it was stopped before the service
// came back) is ended at start, so it does not read "ongoing" for ever.
func TestStartEndsTheOutageAStoppedRunLeftOpen(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) {
		if _, err := d.Ledger.OpenOutage(context.Background(), epoch.Add(-time.Hour), "connection refused"); err != nil {
			t.Fatal(err)
		}
	})
	out := r.ledger.Outages()
	if len(out) != 1 || out[0].End.IsZero() || !out[0].Stopped {
		t.Fatalf("outages after start %+v, want the old one ended as stopped", out)
	}
	if st := r.e.Status(); !st.Online {
		t.Errorf("status %+v: an earlier run's outage is not this run's", st)
	}
}

// A kiosk stopped during an outage ends it when it stops, marked as the
// kiosk's stop: the review shows how long it went without the service,
// not only until the last visitor it recorded.
func TestStopEndsTheOutageUnderWay(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Timing.IdleCheck = 20 * time.Millisecond })
	r.e.Start(context.Background())
	r.svc.SetDown(&app.Unavailable{Cause: "dial tcp: connection refused"})
	eventually(t, "the outage", func() bool { return !r.e.Status().Online })
	eventually(t, "its start recorded", func() bool { return len(r.ledger.Outages()) == 1 })
	r.clock.Add(40 * time.Minute)
	r.e.Close()
	out := r.ledger.Outages()
	if len(out) != 1 || !out[0].Stopped || !out[0].End.Equal(r.clock.Now()) {
		t.Fatalf("outages after stop %+v, want it ended at the stop (%v) as stopped", out, r.clock.Now())
	}
}
