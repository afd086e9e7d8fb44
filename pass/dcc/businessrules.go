package dcc

import (
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"passdesk/assets"
	"passdesk/pass"
)

// DefaultCountry is the country of arrival whose rules apply when none is
// configured: the EU template every member state's rules start from.
const DefaultCountry = "EU"

// RulesFailedKorean is the fixed line staff see in Korean when a rule has
// no Korean description of its own; the English one follows it.
const RulesFailedKorean = "증명서가 입국·방역 규칙을 충족하지 않습니다."

// Options configure what an HC1 verification checks beyond the signature.
type Options struct {
	// Rules is the business rule set; nil means the built-in one
	// (assets/dccrules).
	Rules *RuleSet
	// NoRules turns the business rules off: signature, validity and key
	// usage only, as the dgc-testdata conformance cases test them.
	NoRules bool
	// ValueSets are what rules see as external.valueSets.
	ValueSets ValueSets
	// Country is the country of arrival, whose acceptance rules apply;
	// "" means DefaultCountry.
	Country string
	// Revocations are the revoked certificates; nil revokes none.
	Revocations *Revocations
}

// RuleFailure is a business rule a certificate failed: what the ledger
// records (ID, Version) and what staff are shown (StaffText). Besides rule
// identifiers, ID can be "none" (no rule of the country is valid now: the
// rule files need an update), "payload" (the certificate's content cannot
// be given to the rules) or "setup" (the rules could not be loaded).
type RuleFailure struct {
	ID              string
	Version         string
	Country         string
	CertificateType string
	// Descriptions maps a language code to the rule's description; "en"
	// is always present.
	Descriptions map[string]string
	// Err says why the rule could not be evaluated, "" when it evaluated
	// to false. The specification counts an error as a failed rule.
	Err string
}

// Description is the rule's description in lang, else in English.
func (f *RuleFailure) Description(lang string) string {
	if d := f.Descriptions[lang]; d != "" {
		return d
	}
	return f.Descriptions["en"]
}

// StaffText is what the verdict screen shows in lang ("ko" or "en"): the
// rule's own text when it has one in that language; in Korean otherwise
// the fixed Korean line and the English description on the next line.
func (f *RuleFailure) StaffText(lang string) string {
	if lang == "ko" && f.Descriptions["ko"] == "" {
		return RulesFailedKorean + "\n" + f.Descriptions["en"]
	}
	return f.Description(lang)
}

func failureOf(r *Rule, err error) RuleFailure {
	f := RuleFailure{ID: r.Identifier, Version: r.Version, Country: r.Country,
		CertificateType: r.CertificateType, Descriptions: r.Descriptions}
	if err != nil {
		f.Err = err.Error()
	}
	return f
}

// Result is an HC1 verdict with what the business rules found.
type Result struct {
	pass.Verdict
	// Failed lists the rules the certificate failed, by identifier, when
	// Reason is rules_failed; Failed[0] is the one to show and record.
	Failed []RuleFailure
}

// FailedRule is the first failed rule, nil when none failed.
func (r *Result) FailedRule() *RuleFailure {
	if len(r.Failed) == 0 {
		return nil
	}
	return &r.Failed[0]
}

var builtinRules = sync.OnceValues(func() (*RuleSet, error) {
	return LoadRulesFS(assets.DCCRules, assets.DCCRulesDir)
})

// BuiltinRules is PassDesk's built-in rule set (assets/dccrules).
func BuiltinRules() (*RuleSet, error) { return builtinRules() }

// businessRules is the resolved rule configuration of a Scheme.
type businessRules struct {
	rules     *RuleSet // nil: rules off
	country   string
	valueSets map[string]any
}

func newBusinessRules(o Options) (*businessRules, error) {
	if o.NoRules {
		return nil, nil
	}
	br := &businessRules{rules: o.Rules, country: o.Country, valueSets: o.ValueSets.external()}
	if br.country == "" {
		br.country = DefaultCountry
	}
	if br.rules == nil {
		var err error
		if br.rules, err = BuiltinRules(); err != nil {
			return nil, fmt.Errorf("built-in HC1 rules: %w", err)
		}
	}
	if !br.rules.HasCountry(br.country) {
		return nil, fmt.Errorf("the HC1 rule set has no acceptance rule of country %q", br.country)
	}
	return br, nil
}

// check evaluates the rules that apply to h at now; nil when all pass.
func (br *businessRules) check(h *hc1, payload map[string]any, err error, issuer string, now time.Time) []RuleFailure {
	if err != nil {
		return []RuleFailure{{ID: "payload", Descriptions: map[string]string{"en": "The certificate's content cannot be read as the rules need it."}, Err: err.Error()}}
	}
	applicable := br.rules.Applicable(br.country, issuer, h.certType, now)
	if len(applicable) == 0 {
		return []RuleFailure{{ID: "none", Country: br.country, Descriptions: map[string]string{
			"en": fmt.Sprintf("No business rule of %s applies at this time: the kiosk's rule files need an update.", br.country)}}}
	}
	data := map[string]any{
		"payload": payload,
		"external": map[string]any{
			"validationClock":   now.UTC().Format(time.RFC3339),
			"valueSets":         br.valueSets,
			"countryCode":       br.country,
			"issuerCountryCode": issuer,
			"exp":               time.Unix(h.expires, 0).UTC().Format(time.RFC3339),
			"iat":               time.Unix(h.issuedAt, 0).UTC().Format(time.RFC3339),
			"kid":               base64.StdEncoding.EncodeToString(h.kid),
		},
	}
	var failed []RuleFailure
	for _, r := range applicable {
		if ok, err := r.logic.EvaluateBool(data); !ok {
			failed = append(failed, failureOf(r, err))
		}
	}
	return failed
}
