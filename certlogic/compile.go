package certlogic

import (
	"fmt"
	"strconv"
	"strings"
)

// Expr is a validated, compiled CertLogic expression. It is immutable and
// safe for concurrent use.
type Expr struct {
	root node
}

// InvalidError is returned by Compile for an expression that does not
// validate; it carries every issue found.
type InvalidError struct {
	Issues []Issue
}

func (e *InvalidError) Error() string {
	msgs := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		msgs = append(msgs, i.Message)
	}
	return "invalid CertLogic expression: " + strings.Join(msgs, "; ")
}

// Compile validates expr (a value as ParseJSON returns it) and prepares it
// for evaluation. An invalid expression is an *InvalidError.
func Compile(expr any) (*Expr, error) {
	if issues := Validate(expr); len(issues) > 0 {
		return nil, &InvalidError{Issues: issues}
	}
	return &Expr{root: compile(expr)}, nil
}

// ParseExpr is ParseJSON followed by Compile.
func ParseExpr(b []byte) (*Expr, error) {
	v, err := ParseJSON(b)
	if err != nil {
		return nil, fmt.Errorf("expression is not JSON: %w", err)
	}
	return Compile(v)
}

// compile builds the node tree of a valid expression.
func compile(expr any) node {
	switch x := expr.(type) {
	case []any:
		items := make([]node, len(x))
		constant := true
		for i, item := range x {
			items[i] = compile(item)
			_, isLit := items[i].(literal)
			constant = constant && isLit
		}
		if constant {
			// An array of literals evaluates to itself: build it once.
			vals := make([]any, len(items))
			for i, it := range items {
				vals[i] = it.(literal).v
			}
			return literal{vals}
		}
		return array(items)
	case map[string]any:
		for op, operand := range x {
			return compileOp(op, operand)
		}
	}
	return literal{expr}
}

func compileOp(op string, operand any) node {
	if op == "var" {
		return compileVar(operand.(string))
	}
	values := operand.([]any)
	args := func(n int) []node {
		out := make([]node, 0, n)
		for _, v := range values[:n] {
			out = append(out, compile(v))
		}
		return out
	}
	switch op {
	case "if":
		a := args(3)
		return &ifNode{a[0], a[1], a[2]}
	case "and":
		return andNode(args(len(values)))
	case "!":
		return &notNode{compile(values[0])}
	case "===", "in", "+", "<", ">", "<=", ">=", "after", "before", "not-after", "not-before":
		return &infixNode{op: infixOps[op], args: args(len(values))}
	case "plusTime":
		return &plusTimeNode{date: compile(values[0]), amount: int64(values[1].(float64)), unit: values[2].(string)}
	case "reduce":
		a := args(3)
		return &reduceNode{a[0], a[1], a[2]}
	case "extractFromUVCI":
		return &extractNode{operand: compile(values[0]), index: values[1].(float64)}
	case "dccDateOfBirth":
		return &dobNode{compile(values[0])}
	}
	// Validate admits no other operator; should one slip through, it fails
	// when evaluated rather than taking the kiosk down.
	return errNode{fmt.Errorf("unrecognised operator: %q", op)}
}

func compileVar(path string) node {
	if path == "" {
		return &varNode{}
	}
	frags := strings.Split(path, ".")
	v := &varNode{keys: frags, indexes: make([]int, len(frags))}
	for i, f := range frags {
		v.indexes[i] = -1
		if n, err := strconv.Atoi(f); err == nil && n >= 0 && f[0] != '+' {
			v.indexes[i] = n
		}
	}
	return v
}
