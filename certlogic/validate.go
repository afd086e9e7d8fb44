package certlogic

import (
	"fmt"
	"regexp"
	"strings"
)

// Issue is one problem found in an expression: the sub-expression at fault
// and what is wrong with it. The messages follow those of the reference
// validator, so that rule authors see the same words from every tool.
type Issue struct {
	Expr    any    `json:"expr"`
	Message string `json:"message"`
}

func (i Issue) Error() string { return i.Message }

// timeUnits are plusTime's units, in the order messages list them.
var timeUnits = []string{"year", "month", "day", "hour"}

// pathPattern is a data access path: fragments separated by single dots.
var pathPattern = regexp.MustCompile(`^([^.]+?)(\.[^.]+?)*$`)

// Validate checks that expr is a CertLogic expression and returns every
// problem found, none when it is valid. expr is a value as ParseJSON
// returns it.
func Validate(expr any) []Issue {
	v := &validator{}
	v.expr(expr, 0)
	return v.issues
}

type validator struct {
	issues []Issue
	nodes  int
}

func (v *validator) add(expr any, format string, args ...any) {
	v.issues = append(v.issues, Issue{Expr: expr, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) expr(expr any, depth int) {
	v.nodes++
	switch {
	case v.nodes == MaxNodes+1:
		v.add(nil, "expression has more than %d parts", MaxNodes)
		return
	case v.nodes > MaxNodes:
		return
	case depth > MaxDepth:
		v.add(nil, "expression nested deeper than %d levels", MaxDepth)
		return
	}
	switch x := expr.(type) {
	case string, bool:
		return
	case float64:
		if !isInt(x) {
			v.add(expr, "%s is a non-integer number", formatNumber(x))
		}
	case nil:
		v.add(expr, "invalid CertLogic expression")
	case []any:
		for _, item := range x {
			v.expr(item, depth+1)
		}
	case map[string]any:
		v.operation(x, depth)
	default:
		v.add(expr, "invalid CertLogic expression")
	}
}

func (v *validator) operation(expr map[string]any, depth int) {
	if len(expr) != 1 {
		v.add(expr, "expression object must have exactly one key, but it has %d", len(expr))
		return
	}
	var op string
	var operand any
	for op, operand = range expr {
	}
	if op == "var" {
		v.varOp(expr, operand)
		return
	}
	values, ok := operand.([]any)
	if !ok {
		v.add(expr, `operation not of the form { "<operator>": [ <values...> ] }`)
		return
	}
	switch op {
	case "if", "reduce":
		if len(values) != 3 {
			article := map[string]string{"if": "an", "reduce": "a"}[op]
			v.add(expr, `%s "%s"-operation must have exactly 3 values/operands, but it has %d`, article, op, len(values))
		}
		v.operands(values, 3, depth)
	case "===", "in", "+":
		if len(values) != 2 {
			v.add(expr, `an operation with operator "%s" must have 2 operands, but it has %d`, op, len(values))
		}
		v.operands(values, 2, depth)
	case "and":
		if len(values) < 2 {
			v.add(expr, `an "and" operation must have at least 2 operands, but it has %d`, len(values))
		}
		v.operands(values, len(values), depth)
	case "<", ">", "<=", ">=", "after", "before", "not-after", "not-before":
		if len(values) < 2 || len(values) > 3 {
			v.add(expr, `an operation with operator "%s" must have 2 or 3 operands, but it has %d`, op, len(values))
		}
		v.operands(values, 3, depth)
	case "!":
		if len(values) != 1 {
			v.add(expr, "a !-operation (logical not/negation) must have exactly 1 operand, but it has %d", len(values))
			return
		}
		v.operands(values, 1, depth)
	case "plusTime":
		v.plusTime(expr, values, depth)
	case "extractFromUVCI":
		if len(values) != 2 {
			v.add(expr, `an "extractFromUVCI"-operation must have exactly 2 values/operands, but it has %d`, len(values))
		}
		v.operands(values, 1, depth)
		if len(values) > 1 && !isInt(values[1]) {
			v.add(expr, `"index" argument (#2) of "extractFromUVCI" must be an integer, but it is: %s`, jsString(values[1]))
		}
	case "dccDateOfBirth":
		if len(values) != 1 {
			v.add(expr, `a "dccDateOfBirth"-operation must have exactly 1 value/operand, but it has %d`, len(values))
		}
		v.operands(values, 1, depth)
	default:
		v.add(expr, `unrecognised operator: "%s"`, op)
	}
}

// operands validates the first n of values, the ones the operation uses.
func (v *validator) operands(values []any, n, depth int) {
	for _, item := range values[:min(n, len(values))] {
		v.expr(item, depth+1)
	}
}

func (v *validator) varOp(expr map[string]any, operand any) {
	path, ok := operand.(string)
	if !ok {
		v.add(expr, `not of the form { "var": "<path>" }`)
		return
	}
	if path != "" && !pathPattern.MatchString(path) {
		v.add(expr, "data access path doesn't have a valid format: %s", path)
	}
}

func (v *validator) plusTime(expr map[string]any, values []any, depth int) {
	if len(values) != 3 {
		v.add(expr, `a "plusTime"-operation must have exactly 3 values/operands, but it has %d`, len(values))
	}
	v.operands(values, 1, depth)
	if len(values) > 1 && !isInt(values[1]) {
		v.add(expr, `"amount" argument (#2) of "plusTime" must be an integer, but it is: %s`, jsString(values[1]))
	}
	if len(values) > 2 {
		if u, _ := values[2].(string); !isTimeUnit(u) {
			v.add(expr, `"unit" argument (#3) of "plusTime" must be a string equal to one of %s, but it is: %s`,
				strings.Join(timeUnits, ", "), jsString(values[2]))
		}
	}
}

func isTimeUnit(s string) bool {
	for _, u := range timeUnits {
		if s == u {
			return true
		}
	}
	return false
}

// jsString renders a value the way JavaScript's template strings do, for
// messages that quote an operand.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return fmt.Sprint(x)
	case float64:
		return formatNumber(x)
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			if item != nil {
				parts[i] = jsString(item)
			}
		}
		return strings.Join(parts, ",")
	}
	return "[object Object]"
}
