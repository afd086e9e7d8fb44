// Package certlogic evaluates CertLogic expressions (specification 1.3.3),
// the restricted JsonLogic in which the EU Digital COVID Certificate
// business rules are written. It owns the values an expression works on,
// the validation of an expression before use, its evaluation against a data
// context, and the limits that keep a hostile rule or data context cheap.
//
// Values are those encoding/json produces (nil, bool, float64, string,
// []any, map[string]any) plus time.Time for the date-times that plusTime
// and dccDateOfBirth make. Numbers are IEEE doubles as in JavaScript; an
// integer is a double without a fraction.
//
// An expression is validated and compiled once (Compile) and then evaluated
// any number of times, concurrently (Expr.Evaluate). Evaluation never
// panics: a type mismatch, a malformed date or a limit reached is an error,
// and the specification recommends treating an error in a rule as a failed
// rule.
package certlogic

// Limits on what is parsed and evaluated, so that deep or wide input costs
// little and ends with an error instead of a stack overflow or a runaway.
const (
	// MaxDepth is the deepest nesting of arrays and objects accepted, in
	// an expression and in a data context alike. Real rules nest about 12
	// levels; DCC payloads about 5.
	MaxDepth = 64
	// MaxNodes is the largest expression accepted, counted in operations,
	// literals and array items. The largest EU rule has a few hundred.
	MaxNodes = 20000
	// MaxSteps bounds one evaluation, counted in operations evaluated; a
	// reduce nested in a reduce over large arrays reaches it instead of
	// running for minutes.
	MaxSteps = 1_000_000
)
