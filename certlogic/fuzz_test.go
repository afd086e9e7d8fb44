package certlogic_test

import (
	"testing"

	"passdesk/certlogic"
)

// FuzzParseExpr feeds arbitrary bytes to the expression parser and
// validator: never a panic, and what compiles evaluates without one.
func FuzzParseExpr(f *testing.F) {
	for _, c := range evalCases {
		f.Add([]byte(c.expr))
	}
	f.Add([]byte(`{"var": "a..b"}`))
	f.Add([]byte(`{"plusTime": ["2021-06-01T00:00:00.1234+1:30", -1, "month"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := certlogic.ParseJSON(b)
		if err != nil {
			return
		}
		issues := certlogic.Validate(v)
		e, err := certlogic.Compile(v)
		if (err == nil) != (len(issues) == 0) {
			t.Fatalf("Compile error %v with %d issues", err, len(issues))
		}
		if err == nil {
			if r, err := e.Evaluate(nil); err == nil {
				_, _ = certlogic.MarshalValue(r, 1<<16)
			}
		}
	})
}

// FuzzEvaluate evaluates the suite's expressions on arbitrary data
// contexts, and arbitrary date strings through plusTime and
// dccDateOfBirth.
func FuzzEvaluate(f *testing.F) {
	for _, c := range evalCases {
		f.Add(c.expr, c.data)
	}
	f.Add(`{"plusTime": [{"var": ""}, 1, "year"]}`, `"2020-02-29T23:59:59.999999-23:59"`)
	f.Add(`{"dccDateOfBirth": [{"var": ""}]}`, `"1999-02"`)
	f.Fuzz(func(t *testing.T, expr, data string) {
		e, err := certlogic.ParseExpr([]byte(expr))
		if err != nil {
			return
		}
		d, err := certlogic.ParseJSON([]byte(data))
		if err != nil {
			return
		}
		if r, err := e.Evaluate(d); err == nil {
			_, _ = certlogic.MarshalValue(r, 1<<16)
		}
	})
}
