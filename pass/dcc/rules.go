package dcc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"passdesk/certlogic"
)

// Rule is one business rule in the EU DCC Gateway's format (rule.json).
// Only the fields a verifier needs are kept; Logic is compiled at load.
type Rule struct {
	Identifier      string
	Type            string // "Acceptance" or "Invalidation"
	Country         string
	Version         string
	CertificateType string // "General", "Vaccination", "Test" or "Recovery"
	ValidFrom       time.Time
	ValidTo         time.Time
	AffectedFields  []string
	// Descriptions maps a language code ("en", "de", ...) to the rule's
	// description; "en" is always present.
	Descriptions map[string]string

	logic   *certlogic.Expr
	version [3]int
}

// ruleJSON is rule.json as the Gateway writes it.
type ruleJSON struct {
	Identifier      string          `json:"Identifier"`
	Type            string          `json:"Type"`
	Country         string          `json:"Country"`
	Version         string          `json:"Version"`
	SchemaVersion   string          `json:"SchemaVersion"`
	Engine          string          `json:"Engine"`
	EngineVersion   string          `json:"EngineVersion"`
	CertificateType string          `json:"CertificateType"`
	Description     []ruleDesc      `json:"Description"`
	ValidFrom       string          `json:"ValidFrom"`
	ValidTo         string          `json:"ValidTo"`
	AffectedFields  []string        `json:"AffectedFields"`
	Logic           json.RawMessage `json:"Logic"`
}

type ruleDesc struct {
	Lang string `json:"lang"`
	Desc string `json:"desc"`
}

var (
	ruleIDPattern  = regexp.MustCompile(`^(GR|VR|TR|RR|IR)-[A-Z]{2}-\d{4}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	semverPattern  = regexp.MustCompile(`^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$`)
	// ruleTypeOf is the certificate type an identifier's prefix names.
	ruleTypeOf = map[string]string{"GR": "General", "VR": "Vaccination", "TR": "Test", "RR": "Recovery"}
)

// ParseRule reads one rule.json and checks it as the Gateway does on
// upload: identifier, type, country, version, engine, certificate type,
// an English description, a validity range, and Logic that validates as
// CertLogic.
func ParseRule(data []byte) (*Rule, error) {
	var j ruleJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("not a rule: %w", err)
	}
	return j.rule()
}

func (j *ruleJSON) rule() (*Rule, error) {
	r := &Rule{Identifier: j.Identifier, Type: j.Type, Country: j.Country, Version: j.Version,
		CertificateType: j.CertificateType, AffectedFields: j.AffectedFields, Descriptions: map[string]string{}}
	fail := func(format string, args ...any) (*Rule, error) {
		id := j.Identifier
		if id == "" {
			id = "rule"
		}
		return nil, fmt.Errorf("%s: %s", id, fmt.Sprintf(format, args...))
	}
	if !ruleIDPattern.MatchString(j.Identifier) {
		return fail("identifier %q is not of the form GR|VR|TR|RR|IR-CC-0000", j.Identifier)
	}
	prefix := j.Identifier[:2]
	switch {
	case j.Type != "Acceptance" && j.Type != "Invalidation":
		return fail("type %q is neither Acceptance nor Invalidation", j.Type)
	case (prefix == "IR") != (j.Type == "Invalidation"):
		return fail("identifier prefix %s does not fit type %s", prefix, j.Type)
	case !countryPattern.MatchString(j.Country) || j.Identifier[3:5] != j.Country:
		return fail("country %q does not fit the identifier", j.Country)
	case !strings.EqualFold(j.Engine, "CERTLOGIC"):
		return fail("engine %q is not CERTLOGIC", j.Engine)
	}
	if want, ok := ruleTypeOf[prefix]; ok && j.CertificateType != want {
		return fail("certificate type %q does not fit identifier prefix %s", j.CertificateType, prefix)
	}
	if _, ok := map[string]bool{"General": true, "Vaccination": true, "Test": true, "Recovery": true}[j.CertificateType]; !ok {
		return fail("certificate type %q unknown", j.CertificateType)
	}
	m := semverPattern.FindStringSubmatch(j.Version)
	if m == nil {
		return fail("version %q is not MAJOR.MINOR.PATCH", j.Version)
	}
	for i := range 3 {
		r.version[i], _ = strconv.Atoi(m[i+1])
	}
	for _, d := range j.Description {
		if d.Lang != "" && d.Desc != "" {
			r.Descriptions[strings.ToLower(d.Lang)] = d.Desc
		}
	}
	if r.Descriptions["en"] == "" {
		return fail("no English description")
	}
	var err error
	if r.ValidFrom, err = time.Parse(time.RFC3339, j.ValidFrom); err != nil {
		return fail("ValidFrom %q is not RFC 3339 with a zone", j.ValidFrom)
	}
	if r.ValidTo, err = time.Parse(time.RFC3339, j.ValidTo); err != nil {
		return fail("ValidTo %q is not RFC 3339 with a zone", j.ValidTo)
	}
	if !r.ValidFrom.Before(r.ValidTo) {
		return fail("ValidFrom is not before ValidTo")
	}
	if len(j.Logic) == 0 {
		return fail("no Logic")
	}
	if r.logic, err = certlogic.ParseExpr(j.Logic); err != nil {
		return fail("Logic: %v", err)
	}
	return r, nil
}

// validAt reports whether the rule applies at t: ValidFrom <= t < ValidTo.
func (r *Rule) validAt(t time.Time) bool { return !t.Before(r.ValidFrom) && t.Before(r.ValidTo) }

func (r *Rule) newerThan(o *Rule) bool {
	for i := range 3 {
		if r.version[i] != o.version[i] {
			return r.version[i] > o.version[i]
		}
	}
	return false
}

// RuleSet is a loaded collection of rules, of one or more countries and
// versions. It is read-only once loaded and safe for concurrent use.
type RuleSet struct {
	rules []*Rule
}

// Len is the number of rules (every version counted).
func (s *RuleSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// HasCountry reports whether the set holds acceptance rules of a country.
func (s *RuleSet) HasCountry(country string) bool {
	for _, r := range s.rules {
		if r.Country == country && r.Type == "Acceptance" {
			return true
		}
	}
	return false
}

// NewRuleSet checks that no identifier and version appear twice.
func NewRuleSet(rules []*Rule) (*RuleSet, error) {
	seen := map[string]bool{}
	for _, r := range rules {
		k := r.Identifier + " " + r.Version
		if seen[k] {
			return nil, fmt.Errorf("rule %s version %s appears twice", r.Identifier, r.Version)
		}
		seen[k] = true
	}
	sorted := append([]*Rule(nil), rules...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Identifier < sorted[j].Identifier })
	return &RuleSet{rules: sorted}, nil
}

// Applicable returns, sorted by identifier, the rules to evaluate on a
// certificate of certType ("vaccination", "test", "recovery") at t for a
// venue in country: the country's acceptance rules for that type or
// General, and the invalidation rules of the issuing country; of each
// identifier, the highest version valid at t.
func (s *RuleSet) Applicable(country, issuerCountry, certType string, t time.Time) []*Rule {
	if s == nil {
		return nil
	}
	want := map[string]string{TypeVaccination: "Vaccination", TypeTest: "Test", TypeRecovery: "Recovery"}[certType]
	best := map[string]*Rule{}
	var ids []string
	for _, r := range s.rules {
		applies := r.Type == "Acceptance" && r.Country == country ||
			r.Type == "Invalidation" && issuerCountry != "" && r.Country == issuerCountry
		if !applies || (r.CertificateType != "General" && r.CertificateType != want) || !r.validAt(t) {
			continue
		}
		if b, ok := best[r.Identifier]; !ok {
			ids = append(ids, r.Identifier)
			best[r.Identifier] = r
		} else if r.newerThan(b) {
			best[r.Identifier] = r
		}
	}
	sort.Strings(ids)
	out := make([]*Rule, len(ids))
	for i, id := range ids {
		out[i] = best[id]
	}
	return out
}

// MaxRuleFile bounds one rule file.
const MaxRuleFile = 4 << 20

// LoadRules reads rules from a file or a folder: a file holds one rule or
// a JSON array of rules; a folder is searched for *.json files (folders
// named "tests", which hold rule tests, are passed over), as the Gateway's
// rule downloads and the public rule repositories lay them out. Any file
// that is not a valid rule refuses the whole set: a set missing a rule
// could admit what its country refuses.
func LoadRules(p string) (*RuleSet, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("dcc rules: %w", err)
	}
	if !st.IsDir() {
		return loadRulesFS(os.DirFS(filepath.Dir(p)), filepath.Base(p))
	}
	return loadRulesFS(os.DirFS(p), ".")
}

// LoadRulesFS reads rules from every *.json under root in fsys, as LoadRules.
func LoadRulesFS(fsys fs.FS, root string) (*RuleSet, error) { return loadRulesFS(fsys, root) }

func loadRulesFS(fsys fs.FS, root string) (*RuleSet, error) {
	var rules []*Rule
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "tests" && name != root {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".json") {
			return nil
		}
		rs, err := readRuleFile(fsys, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rules = append(rules, rs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dcc rules: %w", err)
	}
	if len(rules) == 0 {
		return nil, errors.New("dcc rules: no rule found")
	}
	set, err := NewRuleSet(rules)
	if err != nil {
		return nil, fmt.Errorf("dcc rules: %w", err)
	}
	return set, nil
}

func readRuleFile(fsys fs.FS, name string) ([]*Rule, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readLimited(f, MaxRuleFile)
	if err != nil {
		return nil, err
	}
	var list []ruleJSON
	if err := json.Unmarshal(data, &list); err != nil {
		var one ruleJSON
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, fmt.Errorf("not a rule or a list of rules: %w", err)
		}
		list = []ruleJSON{one}
	}
	out := make([]*Rule, 0, len(list))
	for i := range list {
		r, err := list[i].rule()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
