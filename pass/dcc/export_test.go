package dcc

import "time"

// RulesEvaluator decodes an HC1 text (without verifying it) and returns a
// function running only the business rules on it, from the payload's
// conversion to JSON on: what a benchmark of the rules measures.
func (s *Scheme) RulesEvaluator(text string) (func(now time.Time) []RuleFailure, error) {
	h, err := decode(text)
	if err != nil {
		return nil, err
	}
	return func(now time.Time) []RuleFailure {
		payload, perr := payloadJSON(h.rawDGC)
		return s.rules.check(h, payload, perr, h.issuer, now)
	}, nil
}

// PayloadJSON is payloadJSON, for the fuzz target.
var PayloadJSON = payloadJSON
