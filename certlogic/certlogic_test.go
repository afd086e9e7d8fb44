package certlogic_test

import (
	"errors"
	"strings"
	"testing"

	"passdesk/certlogic"
)

// eval compiles and evaluates expr on data (both JSON) and returns the
// result written out as JSON, or "error: ..." .
func eval(t testing.TB, expr, data string) string {
	t.Helper()
	e, err := certlogic.ParseExpr([]byte(expr))
	if err != nil {
		return "error: " + err.Error()
	}
	d, err := certlogic.ParseJSON([]byte(data))
	if err != nil {
		t.Fatalf("data %s: %v", data, err)
	}
	v, err := e.Evaluate(d)
	if err != nil {
		return "error: " + err.Error()
	}
	b, err := certlogic.MarshalValue(v, 1<<20)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

var evalCases = []struct {
	name, expr, data, want string
}{
	{"integer literal", `42`, `null`, `42`},
	{"integral double is an integer", `42.0`, `null`, `42`},
	{"array items evaluated", `[1, {"var": "x"}]`, `{"x": "a"}`, `[1,"a"]`},
	{"var whole context", `{"var": ""}`, `[1]`, `[1]`},
	{"var array index", `{"var": "a.1"}`, `{"a": [5, 6]}`, `6`},
	{"var missing", `{"var": "a.b.c"}`, `{"a": 1}`, `null`},
	{"var index out of range", `{"var": "1"}`, `[5]`, `null`},
	{"var numeric object key", `{"var": "0"}`, `{"0": "z"}`, `"z"`},
	{"if truthy object", `{"if": [{"var": "o"}, 1, 2]}`, `{"o": {"k": 1}}`, `1`},
	{"if falsy empty object", `{"if": [{"var": "o"}, 1, 2]}`, `{"o": {}}`, `2`},
	{"if lazy", `{"if": [true, 1, {"+": ["x", 1]}]}`, `null`, `1`},
	{"if on a date-time", `{"if": [{"plusTime": ["2021", 0, "day"]}, 1, 2]}`, `null`, `error`},
	{"if on a fraction", `{"if": [{"var": "x"}, 1, 2]}`, `{"x": 0.5}`, `error`},
	{"and returns first falsy", `{"and": [1, "", 2]}`, `null`, `""`},
	{"and returns last", `{"and": [1, "a", [3]]}`, `null`, `[3]`},
	{"and lazy", `{"and": [false, {"+": ["x", 1]}]}`, `null`, `false`},
	{"and on a date-time", `{"and": [true, {"plusTime": ["2021", 0, "day"]}]}`, `null`, `error`},
	{"not", `{"!": [[]]}`, `null`, `true`},
	{"equal strict", `{"===": [1, "1"]}`, `null`, `false`},
	{"equal null", `{"===": [{"var": "x"}, {"var": "y"}]}`, `{}`, `true`},
	{"equal arrays never", `{"===": [{"var": "x"}, {"var": "x"}]}`, `{"x": [1]}`, `false`},
	{"in", `{"in": [2, [1, 2]]}`, `null`, `true`},
	{"in null array", `{"in": [1, {"var": "x"}]}`, `{}`, `error`},
	{"in string is no array", `{"in": ["a", "abc"]}`, `null`, `error`},
	{"plus", `{"+": [2, -3]}`, `null`, `-1`},
	{"plus non-integers", `{"+": [2, {"var": "x"}]}`, `{"x": 1.5}`, `error`},
	{"less ternary", `{"<": [1, 2, 3]}`, `null`, `true`},
	{"less ternary fails", `{"<": [1, 3, 3]}`, `null`, `false`},
	{"less-or-equal ternary", `{"<=": [1, 3, 3]}`, `null`, `true`},
	{"greater", `{">": [3, 2]}`, `null`, `true`},
	{"greater-or-equal", `{">=": [2, 2]}`, `null`, `true`},
	{"compare strings", `{"<": ["a", "b"]}`, `null`, `error`},
	{"compare date-times with <", `{"<": [{"plusTime": ["2021", 0, "day"]}, 1]}`, `null`, `error`},
	{"before", `{"before": [{"plusTime": ["2021-01-01", 0, "day"]}, {"plusTime": ["2021-01-01T00:00:00.001Z", 0, "day"]}]}`, `null`, `true`},
	{"after with offsets", `{"after": [{"plusTime": ["2021-01-01T01:00:00+01:00", 0, "hour"]}, {"plusTime": ["2021-01-01T00:00:00Z", 0, "hour"]}]}`, `null`, `false`},
	{"not-after ternary", `{"not-after": [{"plusTime": ["2021-01-01", 0, "day"]}, {"plusTime": ["2021-01-01", 0, "day"]}, {"plusTime": ["2021-01-02", 0, "day"]}]}`, `null`, `true`},
	{"not-before", `{"not-before": [{"plusTime": ["2021-01-01", 0, "day"]}, {"plusTime": ["2021-01-02", 0, "day"]}]}`, `null`, `false`},
	{"date-time compare integers", `{"before": [1, 2]}`, `null`, `error`},
	{"plusTime leap year", `{"plusTime": ["2020-02-29", 1, "year"]}`, `null`, `"2021-03-01T00:00:00.000Z"`},
	{"plusTime leap month", `{"plusTime": ["2020-02-29", 1, "month"]}`, `null`, `"2020-03-29T00:00:00.000Z"`},
	{"plusTime leap day", `{"plusTime": ["2020-02-29", 1, "day"]}`, `null`, `"2020-03-01T00:00:00.000Z"`},
	{"plusTime month overflow", `{"plusTime": ["2021-01-31", 1, "month"]}`, `null`, `"2021-03-03T00:00:00.000Z"`},
	{"plusTime negative months", `{"plusTime": ["2021-03-15", -15, "month"]}`, `null`, `"2019-12-15T00:00:00.000Z"`},
	{"plusTime hours", `{"plusTime": ["2021-06-01T00:00:00Z", -25, "hour"]}`, `null`, `"2021-05-30T23:00:00.000Z"`},
	{"plusTime year partial", `{"plusTime": ["2004", 0, "day"]}`, `null`, `"2004-12-31T00:00:00.000Z"`},
	{"plusTime month partial", `{"plusTime": ["2004-02", 0, "day"]}`, `null`, `"2004-02-29T00:00:00.000Z"`},
	{"plusTime fraction cut", `{"plusTime": ["2021-06-01T10:00:00.123987Z", 0, "day"]}`, `null`, `"2021-06-01T10:00:00.123Z"`},
	{"plusTime short fraction", `{"plusTime": ["2021-06-01T10:00:00.5", 0, "day"]}`, `null`, `"2021-06-01T10:00:00.500Z"`},
	{"plusTime offset h", `{"plusTime": ["2021-06-01T10:00:00+2", 0, "day"]}`, `null`, `"2021-06-01T08:00:00.000Z"`},
	{"plusTime offset hmm", `{"plusTime": ["2021-06-01T10:00:00-130", 0, "day"]}`, `null`, `"2021-06-01T11:30:00.000Z"`},
	{"plusTime offset hhmm", `{"plusTime": ["2021-06-01T10:00:00+0530", 0, "day"]}`, `null`, `"2021-06-01T04:30:00.000Z"`},
	{"plusTime offset h:mm", `{"plusTime": ["2021-06-01T10:00:00.1+1:00", 0, "day"]}`, `null`, `"2021-06-01T09:00:00.100Z"`},
	{"plusTime offset hh:mm", `{"plusTime": ["2021-06-01T00:30:00+01:00", 0, "day"]}`, `null`, `"2021-05-31T23:30:00.000Z"`},
	{"plusTime null date", `{"plusTime": [{"var": "d"}, 0, "day"]}`, `{}`, `error`},
	{"plusTime bad date", `{"plusTime": ["2021-13-01", 0, "day"]}`, `null`, `error`},
	{"plusTime no seconds", `{"plusTime": ["2021-06-01T10:00Z", 0, "day"]}`, `null`, `error`},
	{"plusTime out of range", `{"plusTime": ["2021-06-01", 1000000, "year"]}`, `null`, `error`},
	{"plusTime huge amount", `{"plusTime": ["2021-06-01", 9007199254740991, "hour"]}`, `null`, `error`},
	{"reduce", `{"reduce": [[1, 2, 3], {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}`, `null`, `6`},
	{"reduce null is initial", `{"reduce": [{"var": "x"}, {"+": [{"var": "accumulator"}, 1]}, 7]}`, `{}`, `7`},
	{"reduce non-array", `{"reduce": ["abc", true, 0]}`, `null`, `error`},
	{"reduce sees only its context", `{"reduce": [[1], {"var": "x"}, 0]}`, `{"x": 5}`, `null`},
	{"extract with prefix", `{"extractFromUVCI": ["URN:UVCI:01:NL:187/37512422923", 1]}`, `null`, `"NL"`},
	{"extract empty fragments", `{"extractFromUVCI": ["a::c/#/f", 4]}`, `null`, `""`},
	{"extract beyond", `{"extractFromUVCI": ["a/b", 2]}`, `null`, `null`},
	{"extract negative", `{"extractFromUVCI": ["a/b", -1]}`, `null`, `null`},
	{"extract null", `{"extractFromUVCI": [{"var": "x"}, 0]}`, `{}`, `null`},
	{"extract number", `{"extractFromUVCI": [1, 0]}`, `null`, `error`},
	{"dob year", `{"dccDateOfBirth": ["2004"]}`, `null`, `"2004-12-31T00:00:00.000Z"`},
	{"dob month", `{"dccDateOfBirth": ["2021-02"]}`, `null`, `"2021-02-28T00:00:00.000Z"`},
	{"dob day", `{"dccDateOfBirth": ["2021-02-03"]}`, `null`, `"2021-02-03T00:00:00.000Z"`},
	{"dob date-time refused", `{"dccDateOfBirth": ["2021-02-03T00:00:00Z"]}`, `null`, `error`},
	{"dob null", `{"dccDateOfBirth": [{"var": "x"}]}`, `{}`, `error`},
	{"invalid is an error", `{"all": [1]}`, `null`, `error`},
}

func TestEvaluate(t *testing.T) {
	for _, c := range evalCases {
		t.Run(c.name, func(t *testing.T) {
			got := eval(t, c.expr, c.data)
			if c.want == "error" {
				if !strings.HasPrefix(got, "error: ") {
					t.Errorf("%s on %s = %s, want an error", c.expr, c.data, got)
				}
				return
			}
			if got != c.want {
				t.Errorf("%s on %s = %s, want %s", c.expr, c.data, got, c.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct{ name, expr, want string }{
		{"valid rule", `{"if": [{"var": "payload.v.0"}, {">=": [{"var": "payload.v.0.dn"}, 1]}, true]}`, ""},
		{"var not a string", `{"var": 1}`, `not of the form { "var": "<path>" }`},
		{"var empty fragment", `{"var": "a..b"}`, "data access path doesn't have a valid format: a..b"},
		{"if arity", `{"if": [true, 1]}`, `an "if"-operation must have exactly 3 values/operands, but it has 2`},
		{"and arity", `{"and": [true]}`, `an "and" operation must have at least 2 operands, but it has 1`},
		{"comparison arity", `{"<": [1, 2, 3, 4]}`, `an operation with operator "<" must have 2 or 3 operands, but it has 4`},
		{"equality arity", `{"===": [1, 2, 3]}`, `an operation with operator "===" must have 2 operands, but it has 3`},
		{"not arity", `{"!": []}`, "a !-operation (logical not/negation) must have exactly 1 operand, but it has 0"},
		{"plusTime amount", `{"plusTime": ["2021", "1", "day"]}`, `"amount" argument (#2) of "plusTime" must be an integer, but it is: 1`},
		{"plusTime unit", `{"plusTime": ["2021", 1, "week"]}`, `"unit" argument (#3) of "plusTime" must be a string equal to one of year, month, day, hour, but it is: week`},
		{"extract index", `{"extractFromUVCI": ["x", 1.5]}`, `"index" argument (#2) of "extractFromUVCI" must be an integer, but it is: 1.5`},
		{"dob arity", `{"dccDateOfBirth": []}`, `a "dccDateOfBirth"-operation must have exactly 1 value/operand, but it has 0`},
		{"nested issue", `{"if": [{"var": 1}, 1, null]}`, `not of the form { "var": "<path>" }|invalid CertLogic expression`},
		{"too deep", strings.Repeat("[", 70) + strings.Repeat("]", 70), "parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := certlogic.ParseJSON([]byte(c.expr))
			if err != nil {
				if c.want != "parse" {
					t.Fatalf("parse %s: %v", c.expr, err)
				}
				return
			}
			var msgs []string
			for _, i := range certlogic.Validate(v) {
				msgs = append(msgs, i.Message)
			}
			if got := strings.Join(msgs, "|"); got != c.want {
				t.Errorf("Validate(%s) = %q, want %q", c.expr, got, c.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	t.Run("wide expression", func(t *testing.T) {
		wide := "[" + strings.Repeat("1,", certlogic.MaxNodes) + "1]"
		v, err := certlogic.ParseJSON([]byte(wide))
		if err != nil {
			t.Fatal(err)
		}
		var inv *certlogic.InvalidError
		if _, err := certlogic.Compile(v); !errors.As(err, &inv) || len(inv.Issues) != 1 {
			t.Errorf("Compile of %d items: %v, want one issue", certlogic.MaxNodes+1, err)
		}
	})
	t.Run("runaway reduce", func(t *testing.T) {
		// A reduce over 2000 items whose lambda is a reduce over 2000 more
		// is millions of steps.
		items := "[" + strings.Repeat("0,", 1999) + "0]"
		expr := `{"reduce": [` + items + `, {"reduce": [` + items + `, {"+": [{"var": "accumulator"}, 1]}, 0]}, 0]}`
		if got := eval(t, expr, `null`); !strings.Contains(got, "steps") {
			t.Errorf("got %.100s, want the step limit", got)
		}
	})
	t.Run("exponential result", func(t *testing.T) {
		expr := `{"reduce": [` + "[" + strings.Repeat("0,", 39) + "0]" + `, [{"var": "accumulator"}, {"var": "accumulator"}], 0]}`
		if got := eval(t, expr, `null`); !strings.Contains(got, "too large") && !strings.Contains(got, "deeper") {
			t.Errorf("got %.100s, want a size error", got)
		}
	})
	t.Run("deep data", func(t *testing.T) {
		if _, err := certlogic.ParseJSON([]byte(strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100))); err == nil {
			t.Error("data nested 100 deep accepted")
		}
	})
	t.Run("trailing data", func(t *testing.T) {
		if _, err := certlogic.ParseJSON([]byte(`1 2`)); err == nil {
			t.Error("two values accepted as one")
		}
	})
}

func TestEvaluateBool(t *testing.T) {
	for _, c := range []struct {
		expr string
		want bool
		err  bool
	}{{`true`, true, false}, {`false`, false, false}, {`1`, false, true}, {`{"+": [true, 1]}`, false, true}} {
		e, err := certlogic.ParseExpr([]byte(c.expr))
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.EvaluateBool(nil)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("EvaluateBool(%s) = %v, %v", c.expr, got, err)
		}
	}
}
