package app_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/pass"
)

// A kiosk without a usable trust list cannot check a pass: it denies, and
// a service admitting the pass is no sign that the service lies, so no
// service_disagrees alert is raised (it would on every first-start scan).
func TestNoTrustListIsNoDisagreement(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(*rig) time.Time // returns the time the QR is made at
	}{
		{"no trust list yet", func(r *rig) time.Time { return epoch }},
		{"trust list stale", func(r *rig) time.Time {
			r.clock.Add(31 * 24 * time.Hour) // the world's trust list lasts 30 days
			return epoch.Add(31 * 24 * time.Hour)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, func(_ *app.Config, d *app.Deps) {
				if c.name == "no trust list yet" {
					d.Lists = &apptest.Lists{}
				}
			})
			r.svc.SetVerify(admitAll)
			at := c.setup(r)
			res := r.e.Scan(ctx, r.holder(t, false).Present(at))
			if res.Verdict.Admit || res.Entry.Outcome != app.Deny {
				t.Fatalf("admitted without a trust list: %+v", res.Entry)
			}
			if got, want := res.Entry.Reason, string(pass.TrustListStale); got != want {
				t.Errorf("reason %q, want %q", got, want)
			}
			if res.Alert {
				t.Errorf("the verdict is an alert: %+v", res)
			}
			select {
			case a := <-r.e.Alerts():
				t.Errorf("alert raised: %+v", a)
			default:
			}
			st := r.e.Status()
			if hasNotice(st, app.NoticeServiceDisagrees) {
				t.Errorf("service_disagrees notice: %+v", st.Notices)
			}
			if !st.TrustListStale {
				t.Errorf("the status does not say the trust list is missing or stale: %+v", st)
			}
		})
	}
	t.Run("a real disagreement is still raised", func(t *testing.T) {
		r := newRig(t, nil)
		r.svc.SetVerify(admitAll)
		res := r.e.Scan(ctx, r.holder(t, true).Present(epoch)) // revoked in the kiosk's list
		if res.Verdict.Admit || res.Entry.Reason != string(pass.Revoked) {
			t.Fatalf("got %+v", res.Entry)
		}
		select {
		case a := <-r.e.Alerts():
			if a.Verdict.Reason != pass.ServiceDisagrees {
				t.Errorf("alert %+v", a)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no service_disagrees alert")
		}
	})
}
