package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The public CertLogic specification, test suites and rule sets live
// outside the repository; CI provides them next to it.
const certLogicEnv = "PASSDESK_CERTLOGIC_TESTDATA"

func certLogicDataDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(certLogicEnv)
	if dir == "" {
		dir = filepath.Join("testdata", "certlogic")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CertLogic test data not found at %s (set %s to its folder): %v", dir, certLogicEnv, err)
	}
	return dir
}

// runCertLogicLines sends requests to `passdesk certlogic` (with extra
// args) and returns one reply per request.
func runCertLogicLines(t *testing.T, requests []string, args ...string) []string {
	t.Helper()
	var in, out, errb bytes.Buffer
	for _, r := range requests {
		// Requests are one line each: fold the files' pretty-printing.
		if err := json.Compact(&in, []byte(r)); err != nil {
			in.WriteString(r)
		}
		in.WriteByte('\n')
	}
	code := dispatch(append([]string{"certlogic"}, args...), &in, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(requests) == 0 {
		lines = nil
	}
	if len(lines) != len(requests) {
		t.Fatalf("%d replies to %d requests", len(lines), len(requests))
	}
	return lines
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sameJSON(t *testing.T, got string, want any) bool {
	t.Helper()
	var g any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("reply %q is not JSON: %v", got, err)
		return false
	}
	w := any(nil)
	_ = json.Unmarshal([]byte(mustJSON(t, want)), &w)
	return reflect.DeepEqual(g, w)
}

// suiteFile is a file of the CertLogic evaluation test suite.
type suiteFile struct {
	Name      string `json:"name"`
	Directive string `json:"directive"`
	Cases     []struct {
		Name       string          `json:"name"`
		Directive  string          `json:"directive"`
		Expression json.RawMessage `json:"certLogicExpression"`
		Assertions []struct {
			Directive  string          `json:"directive"`
			Expression json.RawMessage `json:"certLogicExpression"`
			Data       json.RawMessage `json:"data"`
			Expected   any             `json:"expected"`
			Message    string          `json:"message"`
		} `json:"assertions"`
	} `json:"cases"`
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func suiteFiles(t *testing.T, folder string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(certLogicDataDir(t), "eu-dcc-business-rules", "certlogic", "specification", folder, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test-suite files in %s: %v", folder, err)
	}
	return files
}

// TestCertLogicSuite runs the CertLogic evaluation test suite through
// `passdesk certlogic`, skipping what the suite marks "skip".
func TestCertLogicSuite(t *testing.T) {
	for _, path := range suiteFiles(t, "testSuite") {
		var f suiteFile
		readJSONFile(t, path, &f)
		t.Run(filepath.Base(path), func(t *testing.T) {
			if f.Directive == "skip" {
				t.Skip("the suite marks this file skip")
			}
			var reqs, names []string
			var want []any
			for _, c := range f.Cases {
				if c.Directive == "skip" {
					continue
				}
				for i, a := range c.Assertions {
					if a.Directive == "skip" {
						continue
					}
					expr := c.Expression
					if len(a.Expression) > 0 {
						expr = a.Expression
					}
					data := a.Data
					if len(data) == 0 {
						data = json.RawMessage("null")
					}
					reqs = append(reqs, `{"logic":`+string(expr)+`,"data":`+string(data)+`}`)
					names = append(names, c.Name+"#"+itoa(i)+" "+a.Message)
					want = append(want, a.Expected)
				}
			}
			for i, got := range runCertLogicLines(t, reqs) {
				if !sameJSON(t, got, want[i]) {
					t.Errorf("%s: %s gives %s, want %s", names[i], reqs[i], got, mustJSON(t, want[i]))
				}
			}
		})
	}
}

func itoa(i int) string { return mustJSONString(i) }

func mustJSONString(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestCertLogicValidationSuite runs the validation test suite through
// `passdesk certlogic --validate`.
func TestCertLogicValidationSuite(t *testing.T) {
	for _, path := range suiteFiles(t, "validation-testSuite") {
		var f struct {
			Directive string `json:"directive"`
			Cases     []struct {
				Directive  string          `json:"directive"`
				Expression json.RawMessage `json:"certLogicExpression"`
				Issues     []any           `json:"issues"`
			} `json:"cases"`
		}
		readJSONFile(t, path, &f)
		t.Run(filepath.Base(path), func(t *testing.T) {
			if f.Directive == "skip" {
				t.Skip("the suite marks this file skip")
			}
			var reqs []string
			var want [][]any
			for _, c := range f.Cases {
				if c.Directive == "skip" {
					continue
				}
				reqs = append(reqs, `{"logic":`+string(c.Expression)+`}`)
				want = append(want, append([]any{}, c.Issues...))
			}
			for i, got := range runCertLogicLines(t, reqs, "--validate") {
				if !sameJSON(t, got, want[i]) {
					t.Errorf("%s gives %s, want %s", reqs[i], got, mustJSON(t, want[i]))
				}
			}
		})
	}
}

// ruleFile is the part of a rule.json these tests read.
type ruleFile struct {
	Identifier string          `json:"Identifier"`
	ValidFrom  time.Time       `json:"ValidFrom"`
	ValidTo    time.Time       `json:"ValidTo"`
	Logic      json.RawMessage `json:"Logic"`
}

var ruleTestName = regexp.MustCompile(`^test\d+\.json$`)

// TestCertLogicRuleSets evaluates every rule of the EU, DE, FI and NL rule
// sets on its tests through `passdesk certlogic`, as the upstream runner
// does: the rule's Logic on {payload, external} gives the test's expected
// value, and the test's validation clock lies in the rule's validity.
func TestCertLogicRuleSets(t *testing.T) {
	root := filepath.Join(certLogicDataDir(t), "dgc-business-rules-testdata")
	for _, set := range []string{"EU", "DE", "FI", "NL"} {
		t.Run(set, func(t *testing.T) { checkRuleSet(t, filepath.Join(root, set)) })
	}
}

// TestBuiltinDCCRules runs PassDesk's built-in HC1 rule set on its tests
// the same way.
func TestBuiltinDCCRules(t *testing.T) {
	checkRuleSet(t, filepath.Join("assets", "dccrules"))
}

func checkRuleSet(t *testing.T, dir string) {
	rules, _ := filepath.Glob(filepath.Join(dir, "*", "rule.json"))
	if len(rules) == 0 {
		t.Fatalf("no rules in %s", dir)
	}
	sort.Strings(rules)
	for _, rulePath := range rules {
		var r ruleFile
		readJSONFile(t, rulePath, &r)
		t.Run(r.Identifier, func(t *testing.T) { checkRuleTests(t, filepath.Dir(rulePath), r) })
	}
}

func checkRuleTests(t *testing.T, dir string, r ruleFile) {
	if got := runCertLogicLines(t, []string{`{"logic":` + string(r.Logic) + `}`}, "--validate"); got[0] != "[]" {
		t.Errorf("the rule does not validate: %s", got[0])
	}
	entries, err := os.ReadDir(filepath.Join(dir, "tests"))
	if err != nil {
		t.Fatal(err)
	}
	var reqs, names []string
	var want []any
	for _, e := range entries {
		if !ruleTestName.MatchString(e.Name()) {
			continue
		}
		var tc struct {
			Payload  json.RawMessage `json:"payload"`
			External json.RawMessage `json:"external"`
			Expected any             `json:"expected"`
		}
		readJSONFile(t, filepath.Join(dir, "tests", e.Name()), &tc)
		var clock struct {
			ValidationClock *time.Time `json:"validationClock"`
		}
		_ = json.Unmarshal(tc.External, &clock)
		if c := clock.ValidationClock; c != nil && (c.Before(r.ValidFrom) || !c.Before(r.ValidTo)) {
			t.Errorf("%s: validation clock %s outside the rule's validity [%s, %s)", e.Name(), c, r.ValidFrom, r.ValidTo)
		}
		data := map[string]json.RawMessage{}
		if len(tc.Payload) > 0 {
			data["payload"] = tc.Payload
		}
		if len(tc.External) > 0 {
			data["external"] = tc.External
		}
		reqs = append(reqs, `{"logic":`+string(r.Logic)+`,"data":`+mustJSON(t, data)+`}`)
		names = append(names, e.Name())
		want = append(want, tc.Expected)
	}
	if len(reqs) == 0 {
		t.Fatal("the rule has no tests")
	}
	for i, got := range runCertLogicLines(t, reqs) {
		if !sameJSON(t, got, want[i]) {
			t.Errorf("%s gives %s, want %s", names[i], got, mustJSON(t, want[i]))
		}
	}
}

// TestCertLogicCommand covers the command's own contract: order, errors,
// blank lines, limits, usage.
func TestCertLogicCommand(t *testing.T) {
	t.Run("replies in order, errors as objects", func(t *testing.T) {
		got := runCertLogicLines(t, []string{
			`{"logic": {"+": [1, 2]}, "data": null}`,
			`not json`,
			`{"data": 1}`,
			`{"logic": {"in": ["a", {"var": "x"}]}, "data": {"x": "abc"}}`,
			`{"logic": {"var": "a.b"}, "data": {"a": {"b": [1, "x"]}}}`,
		})
		if got[0] != "3" || got[4] != `[1,"x"]` {
			t.Errorf("values: %q", got)
		}
		for _, i := range []int{1, 2, 3} {
			var e map[string]string
			if err := json.Unmarshal([]byte(got[i]), &e); err != nil || e["error"] == "" {
				t.Errorf("reply %d = %s, want an error object", i, got[i])
			}
		}
	})
	t.Run("blank lines are skipped", func(t *testing.T) {
		var out bytes.Buffer
		dispatch([]string{"certlogic"}, strings.NewReader("\n  \n{\"logic\": true}\r\n"), &out, &bytes.Buffer{})
		if got, want := out.String(), "true\n"; got != want {
			t.Errorf("output %q, want %q", got, want)
		}
	})
	t.Run("a too long line is one error", func(t *testing.T) {
		long := `{"logic": "` + strings.Repeat("x", certLogicMaxLine) + `"}`
		got := runCertLogicLines(t, []string{long, `{"logic": 1}`})
		if !strings.Contains(got[0], "longer than") || got[1] != "1" {
			t.Errorf("replies %.200q", got)
		}
	})
	t.Run("deep nesting is refused", func(t *testing.T) {
		deep := strings.Repeat(`{"!":[`, 5000) + "true" + strings.Repeat("]}", 5000)
		got := runCertLogicLines(t, []string{`{"logic":` + deep + `}`, `{"logic":` + deep + `}`}, "--validate")
		if !strings.Contains(got[0], "deeper than") {
			t.Errorf("reply %.200s", got[0])
		}
	})
	t.Run("arguments are a usage error", func(t *testing.T) {
		if code := dispatch([]string{"certlogic", "x.json"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
	})
}
