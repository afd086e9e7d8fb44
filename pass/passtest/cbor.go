// Package passtest builds PD1 passes and root-signed lists byte by byte, for
// the pass package's tests and its test vector generator. It writes CBOR
// by hand, independently of the encoder package pass uses, so that it can
// also write the malformed documents a strict decoder must refuse.
package passtest

import (
	"encoding/binary"
	"math"
)

// CBOR major types.
const (
	majUint  = 0
	majNint  = 1
	majBytes = 2
	majText  = 3
	majArray = 4
	majMap   = 5
	majTag   = 6
)

// Head encodes a CBOR item head with its argument in the shortest form.
func Head(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= math.MaxUint8:
		return []byte{m | 24, byte(n)}
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	default:
		return binary.BigEndian.AppendUint64([]byte{m | 27}, n)
	}
}

// Uint encodes an unsigned integer.
func Uint(n uint64) []byte { return Head(majUint, n) }

// Int encodes a signed integer.
func Int(n int64) []byte {
	if n >= 0 {
		return Uint(uint64(n))
	}
	return Head(majNint, uint64(-1-n))
}

// Bytes encodes a byte string.
func Bytes(b []byte) []byte { return append(Head(majBytes, uint64(len(b))), b...) }

// Text encodes a text string.
func Text(s string) []byte { return append(Head(majText, uint64(len(s))), s...) }

// Array encodes an array of encoded items.
func Array(items ...[]byte) []byte {
	b := Head(majArray, uint64(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

// Tag encodes a tagged item.
func Tag(n uint64, item []byte) []byte { return append(Head(majTag, n), item...) }

// Entry is one map entry, key and value already encoded.
type Entry struct{ K, V []byte }

// Map encodes a map with its entries in the given order (duplicates kept).
func Map(entries ...Entry) []byte {
	b := Head(majMap, uint64(len(entries)))
	for _, e := range entries {
		b = append(b, e.K...)
		b = append(b, e.V...)
	}
	return b
}

// Simple values.
var (
	Null  = []byte{0xf6}
	True  = []byte{0xf5}
	Float = []byte{0xfb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18} // 3.14159...
)

// Nested returns n arrays nested in each other around a zero.
func Nested(n int) []byte {
	b := make([]byte, 0, n+1)
	for range n {
		b = append(b, 0x81)
	}
	return append(b, 0x00)
}

// Entries is an ordered list of map entries with editing helpers.
type Entries []Entry

// Set replaces the value of every entry with key k, or appends one.
func (es Entries) Set(k, v []byte) Entries {
	out := make(Entries, 0, len(es)+1)
	found := false
	for _, e := range es {
		if string(e.K) == string(k) {
			e.V = v
			found = true
		}
		out = append(out, e)
	}
	if !found {
		out = append(out, Entry{k, v})
	}
	return out
}

// Del removes every entry with key k.
func (es Entries) Del(k []byte) Entries {
	out := make(Entries, 0, len(es))
	for _, e := range es {
		if string(e.K) != string(k) {
			out = append(out, e)
		}
	}
	return out
}

// Add appends an entry, even one whose key is already there.
func (es Entries) Add(k, v []byte) Entries {
	return append(append(Entries(nil), es...), Entry{k, v})
}

// Encode encodes the entries as a map.
func (es Entries) Encode() []byte { return Map(es...) }
