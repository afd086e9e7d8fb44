package dcc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// payloadJSON converts the DCC payload (hcert claim key 1) to the JSON
// values CertLogic rules read: text keys, numbers as float64. Tags some
// issuers put on dates (0, 1, 1004) become the strings the EU schema
// prescribes; byte strings, which the schema has none of, become base64.
func payloadJSON(raw []byte) (map[string]any, error) {
	var v any
	if err := decMode.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	j, err := toJSON(v, 0)
	if err != nil {
		return nil, err
	}
	m, ok := j.(map[string]any)
	if !ok {
		return nil, errors.New("DCC payload is not a map")
	}
	return m, nil
}

func toJSON(v any, depth int) (any, error) {
	if depth > maxNesting {
		return nil, errors.New("DCC payload nested too deep")
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("DCC payload holds a number JSON cannot")
		}
		return x, nil
	case float32:
		return toJSON(float64(x), depth)
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339), nil
	case cbor.Tag:
		if x.Number == 1 {
			if secs, ok := x.Content.(int64); ok {
				return time.Unix(secs, 0).UTC().Format(time.RFC3339), nil
			}
		}
		return toJSON(x.Content, depth+1)
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			j, err := toJSON(item, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("DCC payload has a map key of type %T", k)
			}
			j, err := toJSON(item, depth+1)
			if err != nil {
				return nil, err
			}
			out[ks] = j
		}
		return out, nil
	}
	return nil, fmt.Errorf("DCC payload holds a %T", v)
}

// certEntry is the payload's event (v.0, t.0 or r.0), nil when absent.
func certEntry(payload map[string]any) map[string]any {
	for _, k := range []string{"v", "t", "r"} {
		if list, ok := payload[k].([]any); ok && len(list) > 0 {
			if e, ok := list[0].(map[string]any); ok {
				return e
			}
		}
	}
	return nil
}
