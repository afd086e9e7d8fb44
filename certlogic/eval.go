package certlogic

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Evaluate runs the expression on a data context (a value as ParseJSON
// returns it) and returns its value, or the error that stopped it.
func (e *Expr) Evaluate(data any) (any, error) {
	c := &evalCtx{}
	return c.eval(e.root, data)
}

// EvaluateBool runs the expression as a rule: true passes; false, any
// other value and any error fail.
func (e *Expr) EvaluateBool(data any) (bool, error) {
	v, err := e.Evaluate(data)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("rule evaluated to %s, not a boolean", jsString(v))
	}
	return b, nil
}

// ErrTooManySteps ends an evaluation that has used up MaxSteps.
var ErrTooManySteps = fmt.Errorf("evaluation takes more than %d steps", MaxSteps)

type evalCtx struct {
	steps int
}

func (c *evalCtx) eval(n node, data any) (any, error) {
	c.steps++
	if c.steps > MaxSteps {
		return nil, ErrTooManySteps
	}
	return n.eval(c, data)
}

type node interface {
	eval(c *evalCtx, data any) (any, error)
}

type literal struct{ v any }

func (l literal) eval(*evalCtx, any) (any, error) { return l.v, nil }

type errNode struct{ err error }

func (e errNode) eval(*evalCtx, any) (any, error) { return nil, e.err }

type array []node

func (a array) eval(c *evalCtx, data any) (any, error) {
	out := make([]any, len(a))
	for i, item := range a {
		v, err := c.eval(item, data)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// varNode drills into the data context; keys nil means the whole context.
// indexes[i] is fragment i as an array index, -1 when it is none.
type varNode struct {
	keys    []string
	indexes []int
}

func (v *varNode) eval(_ *evalCtx, data any) (any, error) {
	cur := data
	for i, k := range v.keys {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[k]
		case []any:
			if n := v.indexes[i]; n >= 0 && n < len(x) {
				cur = x[n]
			} else {
				cur = nil
			}
		default:
			return nil, nil
		}
	}
	return cur, nil
}

type ifNode struct{ guard, then, els node }

func (n *ifNode) eval(c *evalCtx, data any) (any, error) {
	g, err := c.eval(n.guard, data)
	if err != nil {
		return nil, err
	}
	t, ok := truthiness(g)
	switch {
	case !ok:
		return nil, fmt.Errorf("if-guard evaluates to something neither truthy, nor falsy: %s", jsString(g))
	case t:
		return c.eval(n.then, data)
	}
	return c.eval(n.els, data)
}

// andNode returns the first falsy operand or the last one, evaluating
// lazily; every operand it evaluates must be truthy or falsy.
type andNode []node

func (a andNode) eval(c *evalCtx, data any) (any, error) {
	var v any
	for _, op := range a {
		var err error
		if v, err = c.eval(op, data); err != nil {
			return nil, err
		}
		t, ok := truthiness(v)
		if !ok {
			return nil, errors.New(`all operands of an "and" operation must be either truthy or falsy`)
		}
		if !t {
			return v, nil
		}
	}
	return v, nil
}

type notNode struct{ arg node }

func (n *notNode) eval(c *evalCtx, data any) (any, error) {
	v, err := c.eval(n.arg, data)
	if err != nil {
		return nil, err
	}
	t, ok := truthiness(v)
	if !ok {
		return nil, fmt.Errorf("operand of ! evaluates to something neither truthy, nor falsy: %s", jsString(v))
	}
	return !t, nil
}

type infixOp int

const (
	opEqual infixOp = iota
	opIn
	opPlus
	opLess
	opGreater
	opLessEq
	opGreaterEq
	opBefore
	opAfter
	opNotAfter
	opNotBefore
)

var infixOps = map[string]infixOp{
	"===": opEqual, "in": opIn, "+": opPlus,
	"<": opLess, ">": opGreater, "<=": opLessEq, ">=": opGreaterEq,
	"before": opBefore, "after": opAfter, "not-after": opNotAfter, "not-before": opNotBefore,
}

type infixNode struct {
	op   infixOp
	args []node
}

func (n *infixNode) eval(c *evalCtx, data any) (any, error) {
	var buf [3]any
	vals := buf[:0]
	for _, a := range n.args {
		v, err := c.eval(a, data)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	switch n.op {
	case opEqual:
		return strictEqual(vals[0], vals[1]), nil
	case opIn:
		list, ok := vals[1].([]any)
		if !ok {
			return nil, errors.New(`right-hand side of an "in" operation must be an array`)
		}
		for _, item := range list {
			if strictEqual(vals[0], item) {
				return true, nil
			}
		}
		return false, nil
	case opPlus:
		if !isInt(vals[0]) || !isInt(vals[1]) {
			return nil, errors.New(`operands of "+" must both be integers`)
		}
		return vals[0].(float64) + vals[1].(float64), nil
	case opLess, opGreater, opLessEq, opGreaterEq:
		return compareIntegers(n.op-opLess, vals)
	}
	return compareDateTimes(n.op-opBefore, vals)
}

func compareIntegers(k infixOp, vals []any) (any, error) {
	var buf [3]float64
	nums := buf[:len(vals)]
	for i, v := range vals {
		if !isInt(v) {
			return nil, errors.New("all operands of a comparison operation must be of integer type")
		}
		nums[i] = v.(float64)
	}
	return compare(k, nums), nil
}

func compareDateTimes(k infixOp, vals []any) (any, error) {
	var buf [3]float64
	nums := buf[:len(vals)]
	for i, v := range vals {
		t, ok := v.(time.Time)
		if !ok {
			return nil, errors.New("all operands of a date-time comparison must be date-times")
		}
		nums[i] = float64(t.UnixMilli())
	}
	return compare(k, nums), nil
}

// compare applies <, >, <=, >= (k = 0..3) to two or three operands: with
// three, a op b and b op c.
func compare(k infixOp, v []float64) bool {
	holds := func(a, b float64) bool {
		switch k {
		case 0:
			return a < b
		case 1:
			return a > b
		case 2:
			return a <= b
		}
		return a >= b
	}
	ok := holds(v[0], v[1])
	if len(v) == 3 {
		ok = ok && holds(v[1], v[2])
	}
	return ok
}

type plusTimeNode struct {
	date   node
	amount int64
	unit   string
}

func (n *plusTimeNode) eval(c *evalCtx, data any) (any, error) {
	v, err := c.eval(n.date, data)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf(`date argument of "plusTime" must be a string, but it is: %s`, jsString(v))
	}
	t, err := parseDateTime(s)
	if err != nil {
		return nil, err
	}
	return plusTime(t, n.amount, n.unit)
}

type reduceNode struct{ operand, lambda, initial node }

func (n *reduceNode) eval(c *evalCtx, data any) (any, error) {
	v, err := c.eval(n.operand, data)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return c.eval(n.initial, data)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("operand of reduce evaluated to a non-null non-array")
	}
	acc, err := c.eval(n.initial, data)
	if err != nil {
		return nil, err
	}
	for _, cur := range list {
		if acc, err = c.eval(n.lambda, map[string]any{"accumulator": acc, "current": cur}); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

type extractNode struct {
	operand node
	index   float64
}

func (n *extractNode) eval(c *evalCtx, data any) (any, error) {
	v, err := c.eval(n.operand, data)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, errors.New(`"UVCI" argument (#1) of "extractFromUVCI" must be either a string or null`)
	}
	return extractFromUVCI(s, n.index), nil
}

// extractFromUVCI returns fragment index of a certificate identifier split
// on '/', '#' and ':', after an optional "URN:UVCI:" prefix, or nil.
func extractFromUVCI(s string, index float64) any {
	if index < 0 {
		return nil
	}
	s = strings.TrimPrefix(s, "URN:UVCI:")
	i, start := 0, 0
	for j := 0; j <= len(s); j++ {
		if j == len(s) || s[j] == '/' || s[j] == '#' || s[j] == ':' {
			if float64(i) == index {
				return s[start:j]
			}
			i++
			start = j + 1
		}
	}
	return nil
}

type dobNode struct{ operand node }

func (n *dobNode) eval(c *evalCtx, data any) (any, error) {
	v, err := c.eval(n.operand, data)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf(`operand of "dccDateOfBirth" must be a string, but it is: %s`, jsString(v))
	}
	return dccDateOfBirth(s)
}
