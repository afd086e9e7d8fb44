package pass

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// maxDepth is how deeply any CBOR item may nest (DESIGN.md: deeper is
// malformed). Each byte-string-wrapped document is counted on its own.
const maxDepth = 16

// passMode decodes the documents inside a QR text. Decoding into `any`
// lets the checks below see the exact CBOR major type of every claim, which
// typed decoding would blur (it would, for instance, accept a tagged
// integer where a plain uint is required).
var passMode = mustDecMode(cbor.DecOptions{
	DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	MaxNestedLevels:  maxDepth,
	MaxArrayElements: 1024,
	MaxMapPairs:      1024,
	IndefLength:      cbor.IndefLengthAllowed,
	TagsMd:           cbor.TagsAllowed,
	UTF8:             cbor.UTF8RejectInvalid,
	IntDec:           cbor.IntDecConvertNone,
})

// listMode decodes root-signed lists, which may hold many entries.
var listMode = mustDecMode(cbor.DecOptions{
	DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	MaxNestedLevels:  maxDepth,
	MaxArrayElements: 1 << 24,
	MaxMapPairs:      1 << 16,
	IndefLength:      cbor.IndefLengthAllowed,
	TagsMd:           cbor.TagsAllowed,
	UTF8:             cbor.UTF8RejectInvalid,
	IntDec:           cbor.IntDecConvertNone,
})

// encMode writes the canonical (core deterministic) encoding: definite
// lengths, shortest integers, sorted map keys.
var encMode = func() cbor.EncMode {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	dm, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}

// decodeOne decodes exactly one CBOR item; trailing bytes are an error.
func decodeOne(dm cbor.DecMode, data []byte) (any, error) {
	var v any
	if err := dm.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeMap decodes exactly one CBOR item that must be a map.
func decodeMap(dm cbor.DecMode, data []byte, what string) (map[any]any, error) {
	v, err := decodeOne(dm, data)
	if err != nil {
		return nil, malformed(what, err)
	}
	m, ok := v.(map[any]any)
	if !ok {
		return nil, malformedf("%s is %s, not a map", what, typeName(v))
	}
	return m, nil
}

// Integer map keys as the decoder produces them.
func ukey(k uint64) any { return k }

// claim getters: each returns an error naming the claim when it is absent
// or of the wrong type.

func getUint(m map[any]any, key any, what string) (uint64, error) {
	v, ok := m[key]
	if !ok {
		return 0, malformedf("%s is missing", what)
	}
	u, ok := v.(uint64)
	if !ok {
		return 0, malformedf("%s is %s, not an unsigned integer", what, typeName(v))
	}
	return u, nil
}

func getText(m map[any]any, key any, what string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", malformedf("%s is missing", what)
	}
	s, ok := v.(string)
	if !ok {
		return "", malformedf("%s is %s, not a text string", what, typeName(v))
	}
	return s, nil
}

// getBytes returns a byte string claim; n > 0 requires exactly n bytes.
func getBytes(m map[any]any, key any, n int, what string) ([]byte, error) {
	v, ok := m[key]
	if !ok {
		return nil, malformedf("%s is missing", what)
	}
	return asBytes(v, n, what)
}

func asBytes(v any, n int, what string) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, malformedf("%s is %s, not a byte string", what, typeName(v))
	}
	if n > 0 && len(b) != n {
		return nil, malformedf("%s is %d bytes, want %d", what, len(b), n)
	}
	return b, nil
}

// typeName names the CBOR type behind a decoded value for error messages.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case uint64:
		return "an unsigned integer"
	case int64:
		return "a negative integer"
	case []byte:
		return "a byte string"
	case string:
		return "a text string"
	case []any:
		return "an array"
	case map[any]any:
		return "a map"
	case bool:
		return "a boolean"
	case float64, float32:
		return "a float"
	case cbor.Tag:
		return fmt.Sprintf("tag %d", v.Number)
	default:
		return fmt.Sprintf("a %T", v)
	}
}
