package dcc_test

import (
	"testing"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// TestVerdictNamesFailedRule checks that the pass.Verdict the kiosk sees
// (Verify, not only Check) carries the failed rule: its reference for the
// ledger and its staff text in Korean and English.
func TestVerdictNamesFailedRule(t *testing.T) {
	es := newES256(t, certOpts{})
	ts := trustList(t, es)
	korean := func(r map[string]any) {
		r["Description"] = []map[string]string{{"lang": "en", "desc": "Doses"}, {"lang": "ko", "desc": "접종 횟수"}}
	}
	cases := []struct {
		name           string
		rule           []byte
		ref, ko, en    string
		wantRulesFails bool
	}{
		{"rule with Korean text", ruleJSON(t, "VR-EU-0001", "Vaccination", `{">=": [{"var": "payload.v.0.dn"}, 3]}`, korean),
			"VR-EU-0001@1.0.0", "접종 횟수", "Doses", true},
		{"rule in English only", ruleJSON(t, "VR-EU-0003", "Vaccination", `{">=": [{"var": "payload.v.0.dn"}, 3]}`, nil),
			"VR-EU-0003@1.0.0", dcc.RulesFailedKorean + "\nEnglish text of VR-EU-0003", "English text of VR-EU-0003", true},
		{"rule passes", ruleJSON(t, "VR-EU-0004", "Vaccination", `true`, nil), "", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := dcc.New(ts, dcc.Options{Rules: mustRules(t, c.rule)})
			if err != nil {
				t.Fatal(err)
			}
			v := s.Verify(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
			if got := v.Reason == pass.RulesFailed; got != c.wantRulesFails {
				t.Fatalf("reason %s, rules_failed %v, want %v", v.Reason, got, c.wantRulesFails)
			}
			if !c.wantRulesFails {
				if v.Rule != nil {
					t.Errorf("verdict %s names rule %+v", v.Reason, v.Rule)
				}
				return
			}
			if got, want := v.Rule.Ref(), c.ref; got != want {
				t.Errorf("Ref %q, want %q", got, want)
			}
			if got, want := v.Rule.StaffText("ko"), c.ko; got != want {
				t.Errorf("Korean %q, want %q", got, want)
			}
			if got, want := v.Rule.StaffText("en"), c.en; got != want {
				t.Errorf("English %q, want %q", got, want)
			}
		})
	}
	t.Run("no rule valid now", func(t *testing.T) {
		old := mustRules(t, ruleJSON(t, "GR-EU-0001", "General", `true`, func(r map[string]any) { r["ValidTo"] = "2026-01-01T00:00:00Z" }))
		s, err := dcc.New(ts, dcc.Options{Rules: old})
		if err != nil {
			t.Fatal(err)
		}
		v := s.Verify(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
		if got, want := v.Rule.Ref(), "none"; got != want {
			t.Errorf("Ref %q, want %q", got, want)
		}
		if got := v.Rule.StaffText("ko"); got == "" || got[:len(dcc.RulesFailedKorean)] != dcc.RulesFailedKorean {
			t.Errorf("Korean %q, want the fixed Korean line first", got)
		}
	})
}
