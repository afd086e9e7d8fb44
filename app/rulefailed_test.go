package app_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/pass"
)

// rulesFailing is a scheme that denies every text with its prefix on a
// failed business rule, as pass/dcc does.
type rulesFailing struct{}

func (rulesFailing) Prefix() string { return "HC1:" }
func (rulesFailing) Verify(string, pass.Policy, time.Time) pass.Verdict {
	return pass.Verdict{Reason: pass.RulesFailed, Name: "Musterfrau", Issuer: "DE", Scheme: "HC1",
		Rule: &pass.FailedRule{ID: "VR-EU-0001", Version: "1.0.1", Staff: map[string]string{"en": "Doses", "ko": "접종 횟수"}}}
}

// TestRuleFailedReachesLedgerAndScreen checks that a rules_failed deny
// names its rule in the ledger entry and hands the staff text to the
// screen, and that no other outcome carries a rule.
func TestRuleFailedReachesLedgerAndScreen(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Schemes = []pass.Scheme{rulesFailing{}} })
	res := r.e.Scan(ctx, "HC1:ABC")
	if res.Entry.Outcome != app.Deny || res.Entry.Reason != string(pass.RulesFailed) {
		t.Fatalf("entry %+v, want deny rules_failed", res.Entry)
	}
	if got, want := res.Entry.Rule, "VR-EU-0001@1.0.1"; got != want {
		t.Errorf("result entry rule %q, want %q", got, want)
	}
	if got, want := res.Verdict.Rule.StaffText("ko"), "접종 횟수"; got != want {
		t.Errorf("staff text %q, want %q", got, want)
	}
	entries := r.ledger.Entries()
	if len(entries) != 1 {
		t.Fatalf("%d entries recorded, want 1", len(entries))
	}
	if got, want := entries[0].Rule, "VR-EU-0001@1.0.1"; got != want {
		t.Errorf("ledger rule %q, want %q", got, want)
	}

	t.Run("a PD1 admit names no rule", func(t *testing.T) {
		res := r.e.Scan(ctx, r.holder(t, false).Present(epoch))
		if res.Entry.Outcome != app.Admit || res.Entry.Rule != "" || res.Verdict.Rule != nil {
			t.Errorf("entry %+v rule %+v", res.Entry, res.Verdict.Rule)
		}
	})
}
