package dcc_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

// ruleJSON writes a rule.json with the given logic; mod edits it first.
func ruleJSON(t testing.TB, id, certType, logic string, mod func(r map[string]any)) []byte {
	t.Helper()
	r := map[string]any{
		"Identifier": id, "Type": "Acceptance", "Country": id[3:5], "Version": "1.0.0",
		"SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "1.3.3",
		"CertificateType": certType, "Description": []map[string]string{{"lang": "en", "desc": "English text of " + id}},
		"ValidFrom": "2021-06-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z",
		"AffectedFields": []string{"v.0"}, "Logic": json.RawMessage(logic),
	}
	if strings.HasPrefix(id, "IR") {
		r["Type"] = "Invalidation"
	}
	if mod != nil {
		mod(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(r map[string]any)
		want string // "" for valid, else part of the error
	}{
		{"valid", nil, ""},
		{"bad identifier", func(r map[string]any) { r["Identifier"] = "VR-EUX-1" }, "identifier"},
		{"prefix and type disagree", func(r map[string]any) { r["Type"] = "Invalidation" }, "does not fit type"},
		{"unknown type", func(r map[string]any) { r["Type"] = "Maybe" }, "neither Acceptance"},
		{"country differs from identifier", func(r map[string]any) { r["Country"] = "DE" }, "country"},
		{"other engine", func(r map[string]any) { r["Engine"] = "JSONLOGIC" }, "engine"},
		{"certificate type and prefix disagree", func(r map[string]any) { r["CertificateType"] = "Test" }, "certificate type"},
		{"version not semver", func(r map[string]any) { r["Version"] = "1.0" }, "version"},
		{"no English description", func(r map[string]any) { r["Description"] = []map[string]string{{"lang": "de", "desc": "x"}} }, "English"},
		{"validity reversed", func(r map[string]any) { r["ValidTo"] = "2021-01-01T00:00:00Z" }, "before ValidTo"},
		{"validity without zone", func(r map[string]any) { r["ValidFrom"] = "2021-06-01T00:00:00" }, "RFC 3339"},
		{"invalid logic", func(r map[string]any) { r["Logic"] = json.RawMessage(`{"all": [true]}`) }, "unrecognised operator"},
		{"no logic", func(r map[string]any) { delete(r, "Logic") }, "no Logic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := dcc.ParseRule(ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, tc.mod))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want == "" && (r.Identifier != "VR-EU-0001" || r.Descriptions["en"] == ""):
				t.Errorf("rule %+v", r)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRules(t *testing.T) {
	t.Run("folder with rule tests beside", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "VR-EU-0001", "rule.json"), ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, nil))
		writeFile(t, filepath.Join(dir, "VR-EU-0001", "tests", "test001.json"), []byte(`{"payload": {}, "expected": true}`))
		list := "[" + string(ruleJSON(t, "TR-EU-0001", "Test", `true`, nil)) + "," + string(ruleJSON(t, "GR-EU-0001", "General", `true`, nil)) + "]"
		writeFile(t, filepath.Join(dir, "more.json"), []byte(list))
		writeFile(t, filepath.Join(dir, "README.md"), []byte("not a rule"))
		set, err := dcc.LoadRules(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := set.Len(), 3; got != want {
			t.Errorf("%d rules, want %d", got, want)
		}
	})
	t.Run("one file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rule.json")
		writeFile(t, path, ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, nil))
		if set, err := dcc.LoadRules(path); err != nil || set.Len() != 1 {
			t.Fatalf("LoadRules: %v", err)
		}
	})
	for name, content := range map[string][]byte{
		"a bad rule refuses the set": ruleJSON(t, "VR-EU-0002", "Vaccination", `{"var": 1}`, nil),
		"a file that is no rule":     []byte(`{"hello": "world"}`),
		"a file that is no JSON":     []byte(`{`),
		"the same version twice":     ruleJSON(t, "VR-EU-0001", "Vaccination", `false`, nil),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "a.json"), ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, nil))
			writeFile(t, filepath.Join(dir, "b.json"), content)
			if _, err := dcc.LoadRules(dir); err == nil || !strings.Contains(err.Error(), "dcc rules") {
				t.Errorf("error %v, want a dcc rules error", err)
			}
		})
	}
	t.Run("empty folder", func(t *testing.T) {
		if _, err := dcc.LoadRules(t.TempDir()); err == nil {
			t.Error("an empty folder is a rule set")
		}
	})
	t.Run("built-in", func(t *testing.T) {
		set, err := dcc.BuiltinRules()
		if err != nil || set.Len() < 10 || !set.HasCountry("EU") {
			t.Fatalf("built-in rules: %v (%d)", err, set.Len())
		}
	})
}

func mustRules(t testing.TB, rules ...[]byte) *dcc.RuleSet {
	t.Helper()
	var list []*dcc.Rule
	for _, b := range rules {
		r, err := dcc.ParseRule(b)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, r)
	}
	set, err := dcc.NewRuleSet(list)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestApplicable(t *testing.T) {
	at := func(s string) func(r map[string]any) { return func(r map[string]any) { r["Version"] = s } }
	set := mustRules(t,
		ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, func(r map[string]any) { r["ValidTo"] = "2022-01-01T00:00:00Z" }),
		ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, func(r map[string]any) { at("1.1.0")(r); r["ValidFrom"] = "2022-01-01T00:00:00Z" }),
		ruleJSON(t, "VR-EU-0001", "Vaccination", `true`, func(r map[string]any) { at("1.10.0")(r); r["ValidFrom"] = "2023-01-01T00:00:00Z" }),
		ruleJSON(t, "TR-EU-0001", "Test", `true`, nil),
		ruleJSON(t, "GR-EU-0001", "General", `true`, nil),
		ruleJSON(t, "VR-DE-0001", "Vaccination", `true`, nil),
		ruleJSON(t, "IR-AT-0001", "General", `true`, nil),
	)
	ids := func(rs []*dcc.Rule) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Identifier+"@"+r.Version)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		name, country, issuer, certType string
		at                              time.Time
		want                            string
	}{
		{"first version", "EU", "AT", dcc.TypeVaccination, time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC), "GR-EU-0001@1.0.0 IR-AT-0001@1.0.0 VR-EU-0001@1.0.0"},
		{"ValidTo is exclusive", "EU", "FR", dcc.TypeVaccination, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), "GR-EU-0001@1.0.0 VR-EU-0001@1.1.0"},
		{"highest version valid wins", "EU", "", dcc.TypeVaccination, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "GR-EU-0001@1.0.0 VR-EU-0001@1.10.0"},
		{"test certificate", "EU", "", dcc.TypeTest, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "GR-EU-0001@1.0.0 TR-EU-0001@1.0.0"},
		{"another country", "DE", "", dcc.TypeVaccination, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "VR-DE-0001@1.0.0"},
		{"before any rule", "EU", "", dcc.TypeRecovery, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(set.Applicable(tc.country, tc.issuer, tc.certType, tc.at)); got != tc.want {
				t.Errorf("rules %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCheckRules covers what a failed rule gives the caller: the rule's
// identifier and its descriptions for the ledger and the screen.
func TestCheckRules(t *testing.T) {
	es := newES256(t, certOpts{})
	ts := trustList(t, es)
	korean := func(r map[string]any) {
		r["Description"] = []map[string]string{{"lang": "en", "desc": "Doses"}, {"lang": "ko", "desc": "접종 횟수"}}
	}
	rules := mustRules(t,
		ruleJSON(t, "VR-EU-0001", "Vaccination", `{">=": [{"var": "payload.v.0.dn"}, 3]}`, korean),
		ruleJSON(t, "VR-EU-0002", "Vaccination", `{"in": [{"var": "payload.v.0.tg"}, {"var": "external.valueSets.disease-agent-targeted"}]}`, nil),
		ruleJSON(t, "VR-EU-0003", "Vaccination", `{"plusTime": [{"var": "payload.v.0.nothere"}, 0, "day"]}`, nil),
		ruleJSON(t, "GR-EU-0001", "General", `{"===": [{"var": "external.countryCode"}, "EU"]}`, nil),
		ruleJSON(t, "IR-AT-0001", "General", `{"!": [{"===": [{"var": "payload.v.0.ci"}, "URN:UVCI:01:AT:REVOKEDBYRULE"]}]}`, nil),
	)
	vs := dcc.ValueSets{}
	if err := vs.Parse([]byte(`{"valueSetId": "disease-agent-targeted", "valueSetValues": {"840539006": {"display": "COVID-19"}}}`)); err != nil {
		t.Fatal(err)
	}
	scheme, err := dcc.New(ts, dcc.Options{Rules: rules, ValueSets: vs})
	if err != nil {
		t.Fatal(err)
	}
	res := scheme.Check(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
	if res.Reason != pass.RulesFailed || res.Admit {
		t.Fatalf("verdict %v %s, want deny rules_failed", res.Admit, res.Reason)
	}
	var got []string
	for _, f := range res.Failed {
		got = append(got, f.ID)
	}
	if strings.Join(got, " ") != "VR-EU-0001 VR-EU-0003" {
		t.Fatalf("failed %v, want VR-EU-0001 (false) and VR-EU-0003 (an error)", got)
	}
	f := res.FailedRule()
	if f.Version != "1.0.0" || f.StaffText("ko") != "접종 횟수" || f.StaffText("en") != "Doses" || f.Err != "" {
		t.Errorf("first failure %+v", f)
	}
	if e := res.Failed[1]; e.Err == "" || e.StaffText("ko") != dcc.RulesFailedKorean+"\nEnglish text of VR-EU-0003" {
		t.Errorf("second failure %+v: %q", e, e.StaffText("ko"))
	}
	if res.Name == "" || res.CertType != dcc.TypeVaccination {
		t.Errorf("a rules_failed verdict still shows who it is: %+v", res.Verdict)
	}

	t.Run("invalidation rule of the issuing country", func(t *testing.T) {
		d := dgcPayload("v")
		d["v"].([]any)[0].(map[string]any)["ci"] = "URN:UVCI:01:AT:REVOKEDBYRULE"
		d["v"].([]any)[0].(map[string]any)["dn"] = 3
		res := scheme.Check(hc1Pass{signer: es, dgc: d}.text(t), pass.Policy{}, testNow)
		if r := res.FailedRule(); r == nil || r.ID != "IR-AT-0001" {
			t.Errorf("failed %+v, want IR-AT-0001", res.Failed)
		}
	})
	t.Run("no rule of the country", func(t *testing.T) {
		if _, err := dcc.New(ts, dcc.Options{Rules: rules, Country: "FI"}); err == nil {
			t.Error("a kiosk in FI accepted a rule set without FI rules")
		}
	})
	t.Run("no rule valid now", func(t *testing.T) {
		old := mustRules(t, ruleJSON(t, "GR-EU-0001", "General", `true`, func(r map[string]any) { r["ValidTo"] = "2026-01-01T00:00:00Z" }))
		s, err := dcc.New(ts, dcc.Options{Rules: old})
		if err != nil {
			t.Fatal(err)
		}
		res := s.Check(hc1Pass{signer: es}.text(t), pass.Policy{}, testNow)
		if res.Reason != pass.RulesFailed || res.FailedRule().ID != "none" {
			t.Errorf("reason %s %+v, want rules_failed: no rule applies", res.Reason, res.Failed)
		}
	})
}

func TestLoadValueSets(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tt.json"), []byte(`{"valueSetId": "covid-19-lab-test-type", "valueSetDate": "2021-04-27", "valueSetValues": {"LP6464-4": {"display": "NAA", "active": true}, "LP217198-3": {"active": true}}}`))
	writeFile(t, filepath.Join(dir, "compressed.json"), []byte(`{"disease-agent-targeted": ["840539006"]}`))
	vs, err := dcc.LoadValueSets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(vs["covid-19-lab-test-type"]); got != 2 {
		t.Errorf("%d test types, want 2", got)
	}
	if got := vs["disease-agent-targeted"]; len(got) != 1 || got[0] != "840539006" {
		t.Errorf("disease agents %v", got)
	}
	writeFile(t, filepath.Join(dir, "bad.json"), []byte(`[1, 2]`))
	if _, err := dcc.LoadValueSets(dir); err == nil {
		t.Error("a file that is no value set was read")
	}
	if _, err := dcc.LoadValueSets(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path was read")
	}
}

// TestBusinessRulesRefuse replays what got in on a good signature alone:
// dose 1 of 2 admitted as vaccinated, a test sampled 300 days ago, a
// recovery whose validity ended 100 days ago. Without rules they are
// admitted; with the built-in rules each is refused by the rule that says
// why.
func TestBusinessRulesRefuse(t *testing.T) {
	es := newES256(t, certOpts{})
	ts := trustList(t, es)
	entry := func(d map[string]any, k string) map[string]any { return d[k].([]any)[0].(map[string]any) }
	firstDose := dgcPayload("v")
	entry(firstDose, "v")["dn"] = 1
	oldTest := dgcPayload("t")
	entry(oldTest, "t")["sc"] = testNow.Add(-300 * 24 * time.Hour).Format(time.RFC3339)
	lapsed := dgcPayload("r")
	entry(lapsed, "r")["fr"] = testNow.Add(-290 * 24 * time.Hour).Format("2006-01-02")
	entry(lapsed, "r")["df"] = testNow.Add(-279 * 24 * time.Hour).Format("2006-01-02")
	entry(lapsed, "r")["du"] = testNow.Add(-100 * 24 * time.Hour).Format("2006-01-02")

	off, err := dcc.New(ts, dcc.Options{NoRules: true})
	if err != nil {
		t.Fatal(err)
	}
	on := dcc.NewScheme(ts).(*dcc.Scheme)
	for _, tc := range []struct {
		name string
		dgc  map[string]any
		rule string
	}{
		{"dose 1 of 2", firstDose, "VR-EU-0102"},
		{"test sampled 300 days ago", oldTest, "TR-EU-0104"},
		{"recovery ended 100 days ago", lapsed, "RR-EU-0101"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := hc1Pass{signer: es, dgc: tc.dgc}.text(t)
			if v := off.Verify(text, pass.Policy{}, testNow); !v.Admit {
				t.Fatalf("without rules: %s; the case no longer shows the gap", v.Reason)
			}
			res := on.Check(text, pass.Policy{}, testNow)
			if res.Admit || res.Reason != pass.RulesFailed {
				t.Fatalf("with the built-in rules: %v %s, want deny rules_failed", res.Admit, res.Reason)
			}
			var ids []string
			for _, f := range res.Failed {
				ids = append(ids, f.ID)
			}
			if !strings.Contains(strings.Join(ids, " "), tc.rule) {
				t.Errorf("failed rules %v, want %s among them", ids, tc.rule)
			}
		})
	}
}
