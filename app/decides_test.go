package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/pass"
)

// admitAll is a service that answers admit to everything: spoofed, or
// misconfigured.
func admitAll(context.Context, app.Check) (app.OnlineVerdict, error) {
	return app.OnlineVerdict{Admit: true, Reason: "ok", Name: "anyone", Status: 1}, nil
}

func flipByte(t *testing.T, text string) string {
	t.Helper()
	s, err := apptest.FlipByte(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTheKioskDecides(t *testing.T) {
	ctx := context.Background()
	t.Run("a service admitting a forged QR is overruled and reported", func(t *testing.T) {
		r := newRig(t, nil)
		r.svc.SetVerify(admitAll)
		forged := flipByte(t, r.holder(t, false).Present(epoch))
		if v := pass.Verify(forged, nil, nil, pass.Policy{}, pass.Rules{}, epoch); v.Reason == pass.OK {
			t.Fatal("the flipped byte still verifies")
		}
		res := r.e.Scan(ctx, forged)
		if res.Verdict.Admit || res.Entry.Outcome != app.Deny {
			t.Fatalf("forged QR admitted: %+v", res.Entry)
		}
		if got, want := res.Entry.Reason, string(pass.BadHolderSignature); got != want {
			t.Errorf("reason %q, want the kiosk's own %q", got, want)
		}
		select {
		case a := <-r.e.Alerts():
			if a.Verdict.Reason != pass.ServiceDisagrees || a.Entry.ID != res.Entry.ID {
				t.Errorf("alert %+v", a)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no service_disagrees alert")
		}
		if !hasNotice(r.e.Status(), app.NoticeServiceDisagrees) {
			t.Errorf("no notice for the manager: %+v", r.e.Status().Notices)
		}
	})
	t.Run("the venue policy holds online", func(t *testing.T) {
		r := newRig(t, func(c *app.Config, _ *app.Deps) { c.Policy.Statuses = []int{1}; c.Policy.MinAge = 19 })
		r.svc.SetVerify(admitAll)
		text := presentAs(t, r.w, pass.Recovered, 1990, epoch)
		if res := r.e.Scan(ctx, text); res.Verdict.Admit || res.Entry.Reason != string(pass.PolicyDenied) {
			t.Errorf("status 2 online: %+v", res.Entry)
		}
	})
	t.Run("a service denial is added", func(t *testing.T) {
		r := newRig(t, nil)
		r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
			return app.OnlineVerdict{Reason: string(pass.Replayed)}, nil
		})
		res := r.e.Scan(ctx, r.holder(t, false).Present(epoch))
		if res.Verdict.Admit || res.Entry.Reason != string(pass.Replayed) || res.Entry.Method != app.Online {
			t.Errorf("got %+v", res.Entry)
		}
	})
	t.Run("the service's default policy does not override the venue's", func(t *testing.T) {
		r := newRig(t, func(c *app.Config, _ *app.Deps) { c.Policy.Statuses = []int{1, 2, 3, 4, 5} })
		r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
			return app.OnlineVerdict{Reason: string(pass.PolicyDenied)}, nil
		})
		if res := r.e.Scan(ctx, presentAs(t, r.w, 5, 1990, epoch)); !res.Verdict.Admit {
			t.Errorf("status 5 at a venue admitting it: %+v", res.Entry)
		}
	})
	t.Run("an unknown reason from the service changes nothing", func(t *testing.T) {
		r := newRig(t, nil)
		r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
			return app.OnlineVerdict{Reason: "surprise"}, nil
		})
		if res := r.e.Scan(ctx, r.holder(t, false).Present(epoch)); !res.Verdict.Admit || res.Entry.Method != app.Offline {
			t.Errorf("got %+v", res.Entry)
		}
	})
	t.Run("the scan ID sent is not the entry ID", func(t *testing.T) {
		r := newRig(t, nil)
		var sent string
		r.svc.SetVerify(func(_ context.Context, c app.Check) (app.OnlineVerdict, error) {
			sent = c.ScanID
			return app.OnlineVerdict{Admit: true, Reason: "ok"}, nil
		})
		res := r.e.Scan(ctx, r.holder(t, false).Present(epoch))
		if sent == "" || sent == res.Entry.ID {
			t.Errorf("scan ID %q, entry ID %q", sent, res.Entry.ID)
		}
	})
}

func TestReencodedIsDuplicate(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		untagged bool
		header   map[any]any
	}{
		"untagged":                   {untagged: true},
		"another unprotected header": {header: map[any]any{uint64(99): uint64(1)}},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, nil)
			text := r.holder(t, false).Present(epoch)
			other, err := apptest.Reencode(text, c.untagged, c.header)
			if err != nil {
				t.Fatal(err)
			}
			if other == text {
				t.Fatal("the re-encoding is the same text")
			}
			if res := r.e.Scan(ctx, text); !res.Verdict.Admit {
				t.Fatalf("first scan: %+v", res.Entry)
			}
			for i := range 2 {
				if res := r.e.Scan(ctx, other); res.Entry.Outcome != app.Duplicate {
					t.Errorf("re-encoded scan %d: %q, want duplicate", i, res.Entry.Outcome)
				}
			}
		})
	}
}

func TestClockSetBack(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Service = nil })
	h := r.holder(t, false)
	screenshot := h.Present(epoch)
	r.clock.Add(time.Hour)
	if res := r.e.Scan(ctx, h.Present(epoch.Add(time.Hour))); !res.Verdict.Admit {
		t.Fatalf("fresh scan: %+v", res.Entry)
	}
	r.clock.Add(-time.Hour) // someone sets the kiosk's clock back

	if res := r.e.Scan(ctx, screenshot); res.Verdict.Admit || res.Entry.Reason != string(pass.QRExpired) {
		t.Errorf("an hour-old screenshot with the clock set back: %+v", res.Entry)
	}
	st := r.e.Status()
	if !st.ClockBehind || !st.TrustedTime.Equal(epoch.Add(time.Hour)) {
		t.Errorf("status: behind %v, trusted %v", st.ClockBehind, st.TrustedTime)
	}

	t.Run("a restart remembers the newest ledger row", func(t *testing.T) {
		e, err := app.New(r.e.Config(), app.Deps{Ledger: r.ledger, Lists: r.lists, Now: r.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if res := e.Scan(ctx, h.Present(epoch)); res.Verdict.Admit {
			t.Errorf("after a restart: %+v", res.Entry)
		}
	})
}

// presentAs issues a credential with the status and birth year given, in
// the rig's world, and presents it at t.
func presentAs(t *testing.T, w *apptest.World, st pass.Status, birthYear int, at time.Time) string {
	t.Helper()
	pub, hk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := pass.IssueCredential(w.IssuerKey, pass.Claims{
		Issuer: apptest.Issuer, CID: [16]byte{9, byte(st)}, Sub: [16]byte{8, byte(st)}, Name: "박*수", Status: st,
		NotBefore: at.Add(-time.Hour).Unix(), Expires: at.Add(time.Hour).Unix(), HolderKey: pub, BirthYear: birthYear,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := pass.Present(cred, hk, at.Unix())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hasNotice(st app.Status, code app.NoticeCode) bool {
	for _, n := range st.Notices {
		if n.Code == code {
			return true
		}
	}
	return false
}

func TestRefusedCredentialIsNoOutage(t *testing.T) {
	r := newRig(t, nil)
	r.svc.SetVerify(func(context.Context, app.Check) (app.OnlineVerdict, error) {
		return app.OnlineVerdict{}, app.ErrUnauthorized
	})
	h := r.holder(t, false)
	for i := range 3 {
		if res := r.e.Scan(context.Background(), h.Present(epoch.Add(time.Duration(i)*time.Second))); !res.Verdict.Admit || res.Entry.Method != app.Offline {
			t.Errorf("scan %d: %+v", i, res.Entry)
		}
	}
	st := r.e.Status()
	if !st.Online || len(r.ledger.Outages()) != 0 {
		t.Errorf("a refused credential opened an outage: %+v", st)
	}
	if !hasNotice(st, app.NoticeCredentialRejected) {
		t.Errorf("no credential notice: %+v", st.Notices)
	}
}

// TestServiceClockCorrectsAFloorAhead: a ledger row from a clock once set
// a year ahead would refuse every pass; the service's clock, read over the
// authenticated link, brings the trusted time back.
func TestServiceClockCorrectsAFloorAhead(t *testing.T) {
	ctx := context.Background()
	ahead := &apptest.Ledger{}
	ahead.Record(ctx, app.Entry{ID: "from-a-wrong-clock", Time: epoch.Add(365 * 24 * time.Hour), Outcome: app.Deny, Method: app.Offline, Reason: "qr_expired"})
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Ledger = ahead })
	h := r.holder(t, false)
	if res := r.e.Scan(ctx, h.Present(epoch)); res.Verdict.Admit {
		t.Fatalf("the floor a year ahead did not hold: %+v", res.Entry)
	}
	r.svc.SetClock(epoch, epoch)
	r.e.Start(ctx)
	eventually(t, "the service's clock", func() bool { return !r.e.Status().ClockBehind })
	if res := r.e.Scan(ctx, h.Present(epoch.Add(time.Second))); !res.Verdict.Admit {
		t.Errorf("after the service's clock: %+v", res.Entry)
	}
}
