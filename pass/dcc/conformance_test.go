package dcc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"passdesk/pass"
)

// The public EU DCC conformance cases (eu-digital-green-certificates/
// dgc-testdata), development set, are kept in testdata/dcc with their licence.
const conformanceEnv = "PASSDESK_DCC_TESTDATA"

func conformanceDir(t *testing.T) string {
	dir := os.Getenv(conformanceEnv)
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata", "dcc")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("DCC conformance cases not found at %s (set %s to their folder): %v", dir, conformanceEnv, err)
	}
	return dir
}

// conformanceCase is one */2DCode/raw/*.json file.
type conformanceCase struct {
	Prefix  string          `json:"PREFIX"`
	JSON    json.RawMessage `json:"JSON"`
	TestCtx struct {
		Certificate     string `json:"CERTIFICATE"`
		ValidationClock string `json:"VALIDATIONCLOCK"`
		Description     string `json:"DESCRIPTION"`
	} `json:"TESTCTX"`
	Expected map[string]bool `json:"EXPECTEDRESULTS"`
}

// The expectations a verifier is responsible for (EXPECTEDPICTUREDECODE
// belongs to the camera package).
var verifierExpectations = []string{
	"EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION", "EXPECTEDDECODE",
	"EXPECTEDVERIFY", "EXPECTEDEXPIRATIONCHECK", "EXPECTEDKEYUSAGE",
}

// knownFaulty are cases whose data are wrong (see ABOUT.md next to them),
// with the check they spoil.
var knownFaulty = map[string]string{
	"PL/1.3.0/2DCode/raw/1.json": "JSON field no longer matches the CBOR",
	"PL/1.3.0/2DCode/raw/5.json": "JSON field no longer matches the CBOR",
}

func findCases(t *testing.T, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".json" {
			return nil
		}
		parent := filepath.Base(filepath.Dir(p))
		if strings.EqualFold(parent, "raw") && filepath.Base(filepath.Dir(filepath.Dir(p))) == "2DCode" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

func parseClock(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm, nil
		}
	}
	return time.Time{}, errors.New("unreadable VALIDATIONCLOCK " + s)
}

// outcomes says, for one case, whether each step succeeded in PassDesk's
// decoder and checks.
func outcomes(c *conformanceCase, sg *signer, kid []byte, clock time.Time) (map[string]bool, *hc1) {
	got := map[string]bool{}
	h, err := decode(c.Prefix)
	var de *decodeError
	failed := stage(0)
	if errors.As(err, &de) {
		failed = de.stage
	}
	reached := func(s stage) bool { return failed == 0 || failed > s }
	got["EXPECTEDUNPREFIX"] = reached(stagePrefix)
	got["EXPECTEDB45DECODE"] = reached(stageBase45)
	got["EXPECTEDCOMPRESSION"] = reached(stageZlib)
	got["EXPECTEDDECODE"] = reached(stageCBOR)
	if h == nil {
		return got, nil
	}
	ts := &TrustStore{signers: map[string][]*signer{string(kid): {sg}}, n: 1}
	got["EXPECTEDVERIFY"] = verifySignature(h, ts.lookup(h.kid)) != nil
	got["EXPECTEDEXPIRATIONCHECK"] = checkTime(h, sg, clock) == pass.OK
	got["EXPECTEDKEYUSAGE"] = sg.allows(h.certType)
	return got, h
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	files := findCases(t, dir)
	if len(files) == 0 {
		t.Skipf("no */2DCode/raw/*.json case under %s", dir)
	}
	passed, total := map[string]int{}, map[string]int{}
	admitted, admitTotal := 0, 0
	admittedWithRules, ruleDenials := 0, map[string]int{}
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c conformanceCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatalf("case unreadable: %v", err)
			}
			der, err := base64.StdEncoding.DecodeString(c.TestCtx.Certificate)
			if err != nil {
				t.Fatalf("TESTCTX.CERTIFICATE: %v", err)
			}
			sg, err := parseSigner(der)
			if err != nil {
				t.Fatalf("TESTCTX.CERTIFICATE: %v", err)
			}
			sum := sha256.Sum256(der)
			kid := sum[:8]
			sg.kid = kid
			clock, err := parseClock(c.TestCtx.ValidationClock)
			if err != nil {
				t.Fatal(err)
			}
			got, h := outcomes(&c, sg, kid, clock)
			allTrue := true
			for _, name := range verifierExpectations {
				want, ok := c.Expected[name]
				if !ok {
					continue
				}
				allTrue = allTrue && want
				total[name]++
				if got[name] == want {
					passed[name]++
					continue
				}
				t.Errorf("%s: want %v, got %v (%s)", name, want, got[name], c.TestCtx.Description)
			}
			if h != nil && c.Expected["EXPECTEDDECODE"] && knownFaulty[rel] == "" {
				checkShownFields(t, h, c.JSON)
			}
			// End to end: a case every step of which must succeed is
			// admitted under the default policy, unless its test is positive.
			ts := &TrustStore{signers: map[string][]*signer{string(kid): {sg}}, n: 1}
			rulesOff, err := New(ts, Options{NoRules: true})
			if err != nil {
				t.Fatal(err)
			}
			v := rulesOff.Verify(c.Prefix, pass.Policy{}, clock)
			t.Logf("verdict %s (%s)", v.Reason, c.TestCtx.Description)
			if allTrue && c.Expected["EXPECTEDVERIFY"] && (h == nil || !h.positive) {
				admitTotal++
				if v.Admit {
					admitted++
				} else {
					t.Errorf("Verify: %s, want admit (%s)", v.Reason, c.TestCtx.Description)
				}
			}
			// The built-in rules only add rules_failed denials: every other
			// verdict stays as it is without them.
			on := NewScheme(ts).(*Scheme).Check(c.Prefix, pass.Policy{}, clock)
			switch {
			case on.Reason == pass.RulesFailed && v.Reason == pass.OK:
				for _, f := range on.Failed {
					ruleDenials[f.ID]++
					// A certificate the rules refuse is refused by a rule
					// that evaluated, never by an error or a missing rule.
					if f.Err != "" || f.Version == "" {
						t.Errorf("built-in rule %s could not decide: %s", f.ID, f.Err)
					}
				}
				t.Logf("built-in rules: %s failed", on.FailedRule().ID)
			case on.Verdict.Reason != v.Reason || on.Admit != v.Admit:
				t.Errorf("with the built-in rules: %s, without: %s", on.Reason, v.Reason)
			case v.Admit:
				admittedWithRules++
			}
		})
	}
	t.Logf("%-24s %d/%d (rules failed: %v)", "ADMIT (built-in rules)", admittedWithRules, admitted, ruleDenials)
	for _, name := range verifierExpectations {
		t.Logf("%-24s %d/%d", strings.TrimPrefix(name, "EXPECTED"), passed[name], total[name])
	}
	t.Logf("%-24s %d/%d", "ADMIT (end to end)", admitted, admitTotal)
}

// checkShownFields compares what staff would see with the case's JSON.
func checkShownFields(t *testing.T, h *hc1, raw json.RawMessage) {
	t.Helper()
	var js struct {
		Nam struct{ Fn, Gn, Fnt, Gnt string } `json:"nam"`
		Dob string                            `json:"dob"`
	}
	if err := json.Unmarshal(raw, &js); err != nil {
		var s string // some cases hold the JSON as a string
		if json.Unmarshal(raw, &s) != nil || json.Unmarshal([]byte(s), &js) != nil {
			t.Errorf("JSON unreadable: %v", err)
			return
		}
	}
	if got, want := h.nameNat, joinName(js.Nam.Fn, js.Nam.Gn); got != want {
		t.Errorf("name %q, JSON says %q", got, want)
	}
	if got, want := h.dob, js.Dob; got != want {
		t.Errorf("date of birth %q, JSON says %q", got, want)
	}
}
