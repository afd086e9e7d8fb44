package dcc_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"passdesk/pass"
	"passdesk/pass/dcc"
)

func TestLoad(t *testing.T) {
	es := newES256(t, certOpts{})
	dir := t.TempDir()
	trust := filepath.Join(dir, "dsc.json")
	list, _ := json.Marshal([]map[string]string{{"certificate": base64.StdEncoding.EncodeToString(es.der)}})
	writeFile(t, trust, list)
	rules := filepath.Join(dir, "rules")
	writeFile(t, filepath.Join(rules, "GR-DE-0001", "rule.json"), ruleJSON(t, "GR-DE-0001", "General", `{"in": [{"var": "payload.v.0.tg"}, {"var": "external.valueSets.disease-agent-targeted"}]}`, nil))
	valueSets := filepath.Join(dir, "valuesets.json")
	writeFile(t, valueSets, []byte(`{"disease-agent-targeted": ["840539006"]}`))
	revocations := filepath.Join(dir, "revoked.json")
	writeFile(t, revocations, []byte(`[]`))
	text := hc1Pass{signer: es}.text(t)

	t.Run("all files", func(t *testing.T) {
		s, warnings, err := dcc.Load(dcc.Files{Trust: trust, Rules: rules, ValueSets: valueSets, Country: "DE", Revocations: revocations})
		if err != nil || len(warnings) > 0 {
			t.Fatalf("Load: %v %v", err, warnings)
		}
		if v := s.Verify(text, pass.Policy{}, testNow); v.Reason != pass.OK {
			t.Errorf("reason %s, want ok", v.Reason)
		}
	})
	t.Run("built-in rules by default", func(t *testing.T) {
		s, _, err := dcc.Load(dcc.Files{Trust: trust})
		if err != nil {
			t.Fatal(err)
		}
		d := dgcPayload("v")
		d["v"].([]any)[0].(map[string]any)["dn"] = 1
		if v := s.Verify(hc1Pass{signer: es, dgc: d}.text(t), pass.Policy{}, testNow); v.Reason != pass.RulesFailed {
			t.Errorf("reason %s, want rules_failed", v.Reason)
		}
	})
	for _, tc := range []struct {
		name string
		f    dcc.Files
		key  string
	}{
		{"missing trust list", dcc.Files{Trust: filepath.Join(dir, "none.json")}, "dcc_trust"},
		{"missing rules", dcc.Files{Trust: trust, Rules: filepath.Join(dir, "none")}, "dcc_rules"},
		{"missing value sets", dcc.Files{Trust: trust, ValueSets: filepath.Join(dir, "none")}, "dcc_valuesets"},
		{"missing revocations", dcc.Files{Trust: trust, Revocations: filepath.Join(dir, "none")}, "dcc_revocations"},
		{"malformed country", dcc.Files{Trust: trust, Country: "Germany"}, "dcc_country"},
		{"country without rules", dcc.Files{Trust: trust, Rules: rules, Country: "FI"}, "dcc_country"},
		{"built-in rules for another country", dcc.Files{Trust: trust, Country: "FI"}, "dcc_rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := dcc.Load(tc.f)
			var fe *dcc.FileError
			if s != nil || !errors.As(err, &fe) || fe.Key != tc.key {
				t.Errorf("Load: %v, want an error about %s", err, tc.key)
			}
		})
	}
	t.Run("rules off", func(t *testing.T) {
		s, _, err := dcc.Load(dcc.Files{Trust: trust, Rules: dcc.RulesOff, Country: "FI"})
		if err != nil {
			t.Fatal(err)
		}
		d := dgcPayload("v")
		d["v"].([]any)[0].(map[string]any)["dn"] = 1
		if v := s.Verify(hc1Pass{signer: es, dgc: d}.text(t), pass.Policy{}, testNow); v.Reason != pass.OK {
			t.Errorf("reason %s, want ok", v.Reason)
		}
	})
}
