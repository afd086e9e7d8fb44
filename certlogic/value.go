package certlogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// isInt reports whether v is an integer: a number without a fraction, as
// JavaScript's Number.isInteger says.
func isInt(v any) bool {
	f, ok := v.(float64)
	return ok && !math.IsInf(f, 0) && f == math.Trunc(f)
}

// truthiness says whether v is truthy or falsy; ok is false when it is
// neither (a date-time, a number with a fraction, any other type).
func truthiness(v any) (truthy, ok bool) {
	switch x := v.(type) {
	case nil:
		return false, true
	case bool:
		return x, true
	case float64:
		if !isInt(x) {
			return false, false
		}
		return x != 0, true
	case string:
		return x != "", true
	case []any:
		return len(x) > 0, true
	case map[string]any:
		return len(x) > 0, true
	}
	return false, false
}

// strictEqual is JavaScript's === on the values CertLogic compares: null,
// booleans, numbers and strings by value. Arrays, objects and date-times
// are never equal, since === compares them by reference.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	return false
}

// ParseJSON decodes one JSON value for use as an expression or a data
// context: numbers become float64, nesting deeper than MaxDepth and
// trailing data are errors.
func ParseJSON(b []byte) (any, error) {
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON value")
	}
	return fromJSONNumbers(v)
}

// checkDepth refuses JSON nested deeper than MaxDepth before any decoding,
// so a line of a million brackets costs one scan.
func checkDepth(b []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("JSON nested deeper than %d levels", MaxDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// fromJSONNumbers replaces json.Number by float64 throughout v.
func fromJSONNumbers(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, fmt.Errorf("number %s out of range", x)
		}
		return f, nil
	case []any:
		for i, item := range x {
			n, err := fromJSONNumbers(item)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
	case map[string]any:
		for k, item := range x {
			n, err := fromJSONNumbers(item)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
	}
	return v, nil
}

// dateTimeLayout is how a date-time is written out: JavaScript's
// Date.prototype.toISOString, always UTC with milliseconds.
const dateTimeLayout = "2006-01-02T15:04:05.000Z"

// MarshalValue writes v as JSON, date-times as ISO 8601 strings in UTC. A
// result larger than limit bytes is an error: an array of arrays built by
// a reduce can share its items and would be exponential written out.
func MarshalValue(v any, limit int) ([]byte, error) {
	w := &limitedWriter{limit: limit}
	if err := w.value(v, 0); err != nil {
		return nil, err
	}
	return w.buf, nil
}

type limitedWriter struct {
	buf   []byte
	limit int
}

var errTooLarge = errors.New("result too large to write out")

func (w *limitedWriter) value(v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("result nested deeper than %d levels", MaxDepth)
	}
	switch x := v.(type) {
	case []any:
		w.buf = append(w.buf, '[')
		for i, item := range x {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.value(item, depth+1); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		w.buf = append(w.buf, '{')
		for i, k := range keys {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			kb, _ := json.Marshal(k)
			w.buf = append(append(w.buf, kb...), ':')
			if err := w.value(x[k], depth+1); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, '}')
	case time.Time:
		w.buf = strconv.AppendQuote(w.buf, x.UTC().Format(dateTimeLayout))
	case float64:
		w.buf = append(w.buf, formatNumber(x)...)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		w.buf = append(w.buf, b...)
	}
	if len(w.buf) > w.limit {
		return errTooLarge
	}
	return nil
}

// formatNumber writes a number the way JavaScript's String(x) does for the
// values JSON can hold: integers without a fraction, exponents beyond 1e21.
func formatNumber(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// JavaScript writes 1e+21 and 1e-7, Go 1e+21 and 1e-07.
		if i := bytes.IndexByte([]byte(s), 'e'); i >= 0 && len(s) > i+3 && s[i+2] == '0' {
			s = s[:i+2] + s[i+3:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
