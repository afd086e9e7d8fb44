package pass

import (
	"crypto/ed25519"
	"encoding/binary"

	"github.com/fxamacker/cbor/v2"
)

// COSE constants (RFC 9052, RFC 9053).
const (
	coseSign1Tag = 18
	hdrAlg       = 1
	hdrKid       = 4
	algEdDSA     = -8
)

// sign1 is a decoded COSE_Sign1: the raw protected and payload byte strings
// (what the signature covers), the decoded protected header and the
// signature.
type sign1 struct {
	protected []byte
	header    map[any]any
	payload   []byte
	signature []byte
}

// parseSign1 decodes a COSE_Sign1, tagged 18 or untagged, with alg EdDSA in
// its protected header. what names the document in errors.
func parseSign1(dm cbor.DecMode, data []byte, what string) (*sign1, error) {
	v, err := decodeOne(dm, data)
	if err != nil {
		return nil, malformed(what, err)
	}
	// The decoder drops a self-describe tag (55799) silently; it is still a
	// tag other than 18 on a COSE_Sign1.
	if n, ok := leadingTag(data); ok && n != coseSign1Tag {
		return nil, malformedf("%s has tag %d, want 18 or none", what, n)
	}
	if n, ok := leadingTag(data[tagHeadLen(data):]); ok {
		return nil, malformedf("%s has tag %d inside its tag", what, n)
	}
	if t, ok := v.(cbor.Tag); ok {
		if t.Number != coseSign1Tag {
			return nil, malformedf("%s has tag %d, want 18 or none", what, t.Number)
		}
		v = t.Content
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, malformedf("%s is %s, not a COSE_Sign1 array", what, typeName(v))
	}
	if len(arr) != 4 {
		return nil, malformedf("%s has %d elements, want 4", what, len(arr))
	}
	s := &sign1{}
	if s.protected, err = asBytes(arr[0], 0, what+" protected header"); err != nil {
		return nil, err
	}
	if _, ok := arr[1].(map[any]any); !ok {
		return nil, malformedf("%s unprotected header is %s, not a map", what, typeName(arr[1]))
	}
	if s.payload, err = asBytes(arr[2], 0, what+" payload"); err != nil {
		return nil, err
	}
	if s.signature, err = asBytes(arr[3], ed25519.SignatureSize, what+" signature"); err != nil {
		return nil, err
	}
	// An empty protected bstr stands for an empty map (RFC 9052 3), which
	// lacks the alg this format requires.
	if len(s.protected) == 0 {
		return nil, malformedf("%s protected header is empty", what)
	}
	if s.header, err = decodeMap(dm, s.protected, what+" protected header"); err != nil {
		return nil, err
	}
	alg, ok := s.header[ukey(hdrAlg)]
	if !ok {
		return nil, malformedf("%s protected header has no alg", what)
	}
	if a, ok := alg.(int64); !ok || a != algEdDSA {
		return nil, malformedf("%s alg is not EdDSA (-8)", what)
	}
	return s, nil
}

// kid returns the protected header's kid; n > 0 requires exactly n bytes.
func (s *sign1) kid(n int, what string) ([]byte, error) {
	v, ok := s.header[ukey(hdrKid)]
	if !ok {
		return nil, malformedf("%s protected header has no kid", what)
	}
	return asBytes(v, n, what+" kid")
}

// verify checks the signature under pub. pub must be 32 bytes.
func (s *sign1) verify(pub ed25519.PublicKey) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, sigStructure(s.protected, s.payload), s.signature)
}

// sigStructure encodes the COSE Sig_structure
// ["Signature1", protected, h”, payload] with definite lengths.
func sigStructure(protected, payload []byte) []byte {
	b := make([]byte, 0, 12+9+len(protected)+1+9+len(payload))
	b = append(b, 0x84, 0x6a)
	b = append(b, "Signature1"...)
	b = appendBstr(b, protected)
	b = append(b, 0x40)
	return appendBstr(b, payload)
}

// appendBstr appends a definite-length CBOR byte string.
func appendBstr(b, data []byte) []byte {
	const major = 2 << 5
	n := uint64(len(data))
	switch {
	case n < 24:
		b = append(b, major|byte(n))
	case n <= 0xff:
		b = append(b, major|24, byte(n))
	case n <= 0xffff:
		b = append(b, major|25)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	case n <= 0xffffffff:
		b = append(b, major|26)
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	default:
		b = append(b, major|27)
		b = binary.BigEndian.AppendUint64(b, n)
	}
	return append(b, data...)
}

// protectedHeader is the protected header this package writes.
type protectedHeader struct {
	Alg int    `cbor:"1,keyasint"`
	Kid []byte `cbor:"4,keyasint,omitempty"`
}

// signSign1 makes a tagged COSE_Sign1 over payload with an EdDSA protected
// header naming kid (omitted when nil).
func signSign1(key ed25519.PrivateKey, kid []byte, payload []byte) ([]byte, error) {
	prot, err := encMode.Marshal(protectedHeader{Alg: algEdDSA, Kid: kid})
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, sigStructure(prot, payload))
	return encMode.Marshal(cbor.Tag{
		Number:  coseSign1Tag,
		Content: []any{prot, map[any]any{}, payload, sig},
	})
}

// leadingTag returns the tag number when data starts with a CBOR tag head.
func leadingTag(data []byte) (uint64, bool) {
	n := tagHeadLen(data)
	if n == 0 {
		return 0, false
	}
	if n == 1 {
		return uint64(data[0] & 0x1f), true
	}
	var v uint64
	for _, b := range data[1:n] {
		v = v<<8 | uint64(b)
	}
	return v, true
}

// tagHeadLen is the length of the tag head data starts with, or 0 when it
// does not start with one.
func tagHeadLen(data []byte) int {
	if len(data) == 0 || data[0]>>5 != 6 {
		return 0
	}
	n := 0
	switch ai := data[0] & 0x1f; {
	case ai < 24:
		n = 1
	case ai <= 27:
		n = 1 + 1<<(ai-24)
	default:
		return 0
	}
	if n > len(data) {
		return 0
	}
	return n
}
