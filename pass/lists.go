package pass

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// trustListDoc and revocationListDoc are the list payloads as written
// (DESIGN.md "Trust list and revocation list").
type trustListDoc struct {
	Seq  uint64        `cbor:"seq"`
	Iat  uint64        `cbor:"iat"`
	Exp  uint64        `cbor:"exp"`
	Keys []trustKeyDoc `cbor:"keys"`
}

type trustKeyDoc struct {
	Kid []byte `cbor:"kid"`
	Iss string `cbor:"iss"`
	Pub []byte `cbor:"pub"`
	Nbf uint64 `cbor:"nbf"`
	Exp uint64 `cbor:"exp"`
}

type revocationListDoc struct {
	Seq  uint64   `cbor:"seq"`
	Iat  uint64   `cbor:"iat"`
	Exp  uint64   `cbor:"exp"`
	CIDs [][]byte `cbor:"cids"`
}

// Stale reports whether the list has expired at now. No list (nil) is
// stale: the kiosk holds nothing it can trust.
func (tl *TrustList) Stale(now time.Time) bool { return tl == nil || now.Unix() > tl.Expires }

// Stale reports whether the list has expired at now; nil is stale.
func (rl *RevocationList) Stale(now time.Time) bool { return rl == nil || now.Unix() > rl.Expires }

// SignTrustList signs tl with the root key.
func SignTrustList(root ed25519.PrivateKey, tl TrustList) ([]byte, error) {
	if err := checkPrivateKey(root, "root"); err != nil {
		return nil, err
	}
	if tl.IssuedAt < 0 || tl.Expires < 0 {
		return nil, errors.New("trust list times must not be negative")
	}
	doc := trustListDoc{Seq: tl.Seq, Iat: uint64(tl.IssuedAt), Exp: uint64(tl.Expires), Keys: []trustKeyDoc{}}
	for _, k := range tl.Keys {
		if len(k.Public) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("trust list key %x is %d bytes, want %d", k.Kid, len(k.Public), ed25519.PublicKeySize)
		}
		if k.NotBefore < 0 || k.Expires < 0 {
			return nil, fmt.Errorf("trust list key %x: times must not be negative", k.Kid)
		}
		doc.Keys = append(doc.Keys, trustKeyDoc{
			Kid: k.Kid[:], Iss: k.Issuer, Pub: k.Public,
			Nbf: uint64(k.NotBefore), Exp: uint64(k.Expires),
		})
	}
	return signList(root, doc)
}

// SignRevocationList signs rl with the root key.
func SignRevocationList(root ed25519.PrivateKey, rl RevocationList) ([]byte, error) {
	if err := checkPrivateKey(root, "root"); err != nil {
		return nil, err
	}
	if rl.IssuedAt < 0 || rl.Expires < 0 {
		return nil, errors.New("revocation list times must not be negative")
	}
	doc := revocationListDoc{Seq: rl.Seq, Iat: uint64(rl.IssuedAt), Exp: uint64(rl.Expires), CIDs: [][]byte{}}
	for _, c := range rl.CIDs {
		doc.CIDs = append(doc.CIDs, c[:])
	}
	return signList(root, doc)
}

func signList(root ed25519.PrivateKey, doc any) ([]byte, error) {
	payload, err := encMode.Marshal(doc)
	if err != nil {
		return nil, err
	}
	kid := KeyID(root.Public().(ed25519.PublicKey))
	return signSign1(root, kid[:], payload)
}

// OpenTrustList verifies a root-signed trust list against the pinned roots
// and decodes it. It refuses, with ErrWrongKid, ErrForged, ErrRollback or
// ErrListMalformed, a list that is not signed by a pinned root or whose
// seq is lower than held's. held may be nil.
func OpenTrustList(doc []byte, roots []ed25519.PublicKey, held *TrustList) (*TrustList, error) {
	m, err := openList(doc, roots, "trust list")
	if err != nil {
		return nil, err
	}
	tl := &TrustList{}
	if tl.Seq, tl.IssuedAt, tl.Expires, err = listHeader(m); err != nil {
		return nil, listMalformed("trust list", err)
	}
	if held != nil && tl.Seq < held.Seq {
		return nil, fmt.Errorf("trust list: %w: seq %d < %d", ErrRollback, tl.Seq, held.Seq)
	}
	keys, ok := m["keys"]
	if !ok {
		return nil, listMalformed("trust list", errors.New("keys is missing"))
	}
	arr, ok := keys.([]any)
	if !ok {
		return nil, listMalformed("trust list", fmt.Errorf("keys is %s, not an array", typeName(keys)))
	}
	tl.Keys = make([]TrustedKey, 0, len(arr))
	for i, e := range arr {
		k, err := trustedKey(e)
		if err != nil {
			return nil, listMalformed("trust list", fmt.Errorf("key %d: %w", i, err))
		}
		tl.Keys = append(tl.Keys, k)
	}
	return tl, nil
}

// OpenRevocationList is OpenTrustList for revocation lists.
func OpenRevocationList(doc []byte, roots []ed25519.PublicKey, held *RevocationList) (*RevocationList, error) {
	m, err := openList(doc, roots, "revocation list")
	if err != nil {
		return nil, err
	}
	rl := &RevocationList{}
	if rl.Seq, rl.IssuedAt, rl.Expires, err = listHeader(m); err != nil {
		return nil, listMalformed("revocation list", err)
	}
	if held != nil && rl.Seq < held.Seq {
		return nil, fmt.Errorf("revocation list: %w: seq %d < %d", ErrRollback, rl.Seq, held.Seq)
	}
	cids, ok := m["cids"]
	if !ok {
		return nil, listMalformed("revocation list", errors.New("cids is missing"))
	}
	arr, ok := cids.([]any)
	if !ok {
		return nil, listMalformed("revocation list", fmt.Errorf("cids is %s, not an array", typeName(cids)))
	}
	rl.CIDs = make([][16]byte, 0, len(arr))
	rl.index = make(map[[16]byte]struct{}, len(arr))
	for i, e := range arr {
		b, err := asBytes(e, 16, fmt.Sprintf("cid %d", i))
		if err != nil {
			return nil, listMalformed("revocation list", err)
		}
		var c [16]byte
		copy(c[:], b)
		rl.CIDs = append(rl.CIDs, c)
		rl.index[c] = struct{}{}
	}
	return rl, nil
}

// openList checks a list's COSE_Sign1 against the pinned roots and returns
// its decoded payload map.
func openList(doc []byte, roots []ed25519.PublicKey, what string) (map[any]any, error) {
	if len(roots) == 0 {
		return nil, fmt.Errorf("%s: %w", what, ErrNoRoot)
	}
	s, err := parseSign1(listMode, doc, what)
	if err != nil {
		return nil, listMalformed(what, err)
	}
	kid, err := s.kid(8, what)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", what, ErrWrongKid, err)
	}
	var root ed25519.PublicKey
	for _, r := range roots {
		if k := KeyID(r); string(k[:]) == string(kid) {
			root = r
			break
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%s: %w: kid %x", what, ErrWrongKid, kid)
	}
	if !s.verify(root) {
		return nil, fmt.Errorf("%s: %w (root %s)", what, ErrForged, EncodeRootKey(root))
	}
	m, err := decodeMap(listMode, s.payload, what+" payload")
	if err != nil {
		return nil, listMalformed(what, err)
	}
	return m, nil
}

func listMalformed(what string, err error) error {
	return fmt.Errorf("%s: %w: %v", what, ErrListMalformed, err)
}

func listHeader(m map[any]any) (seq uint64, iat, exp int64, err error) {
	if seq, err = getUint(m, "seq", "seq"); err != nil {
		return
	}
	var u uint64
	if u, err = getUint(m, "iat", "iat"); err != nil {
		return
	}
	iat = clamp(u)
	if u, err = getUint(m, "exp", "exp"); err != nil {
		return
	}
	exp = clamp(u)
	return
}

func trustedKey(e any) (TrustedKey, error) {
	var k TrustedKey
	m, ok := e.(map[any]any)
	if !ok {
		return k, fmt.Errorf("is %s, not a map", typeName(e))
	}
	kid, err := getBytes(m, "kid", len(k.Kid), "kid")
	if err != nil {
		return k, err
	}
	copy(k.Kid[:], kid)
	if k.Issuer, err = getText(m, "iss", "iss"); err != nil {
		return k, err
	}
	pub, err := getBytes(m, "pub", ed25519.PublicKeySize, "pub")
	if err != nil {
		return k, err
	}
	k.Public = ed25519.PublicKey(pub)
	nbf, err := getUint(m, "nbf", "nbf")
	if err != nil {
		return k, err
	}
	exp, err := getUint(m, "exp", "exp")
	if err != nil {
		return k, err
	}
	k.NotBefore, k.Expires = clamp(nbf), clamp(exp)
	return k, nil
}
