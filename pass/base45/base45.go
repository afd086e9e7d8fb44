// Package base45 implements the Base45 encoding of RFC 9285, which keeps
// binary data within the QR code alphanumeric character set. Decoding is
// strict: a character outside the alphabet, a length that leaves a single
// trailing character, or a group whose value is out of range is an error.
package base45

import (
	"errors"
	"fmt"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// ErrLength reports an input whose length is 1 modulo 3: no byte sequence
// encodes to it.
var ErrLength = errors.New("base45: invalid length")

// CharError reports a character outside the Base45 alphabet at an offset of
// the input.
type CharError struct {
	Offset int
	Char   byte
}

func (e CharError) Error() string {
	return fmt.Sprintf("base45: invalid character %q at offset %d", e.Char, e.Offset)
}

// RangeError reports a group of characters whose value does not fit the
// bytes it stands for (over 65535 for three characters, over 255 for two).
type RangeError struct {
	Offset int
}

func (e RangeError) Error() string {
	return fmt.Sprintf("base45: value out of range at offset %d", e.Offset)
}

// decodeTable maps a byte to its Base45 value, or 0xff when it is not in
// the alphabet.
var decodeTable = func() [256]byte {
	var t [256]byte
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// EncodedLen returns the length of the Base45 encoding of n bytes.
func EncodedLen(n int) int {
	return n/2*3 + n%2*2
}

// Encode returns the Base45 encoding of src.
func Encode(src []byte) string {
	dst := make([]byte, 0, EncodedLen(len(src)))
	for i := 0; i+1 < len(src); i += 2 {
		n := int(src[i])<<8 | int(src[i+1])
		dst = append(dst, alphabet[n%45], alphabet[n/45%45], alphabet[n/(45*45)])
	}
	if len(src)%2 == 1 {
		n := int(src[len(src)-1])
		dst = append(dst, alphabet[n%45], alphabet[n/45])
	}
	return string(dst)
}

// Decode returns the bytes that s encodes.
func Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, ErrLength
	}
	dst := make([]byte, 0, len(s)/3*2+len(s)%3/2)
	for i := 0; i < len(s); i += 3 {
		end := min(i+3, len(s))
		n := 0
		mul := 1
		for j := i; j < end; j++ {
			v := decodeTable[s[j]]
			if v == 0xff {
				return nil, CharError{Offset: j, Char: s[j]}
			}
			n += int(v) * mul
			mul *= 45
		}
		if end-i == 3 {
			if n > 0xffff {
				return nil, RangeError{Offset: i}
			}
			dst = append(dst, byte(n>>8), byte(n))
		} else {
			if n > 0xff {
				return nil, RangeError{Offset: i}
			}
			dst = append(dst, byte(n))
		}
	}
	return dst, nil
}
