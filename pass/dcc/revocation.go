package dcc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Revocation hash types of the EU DCC revocation scheme: what a revoked
// certificate is named by, each as the first 16 bytes of a SHA-256.
const (
	HashUCI            = "UCI"            // the certificate identifier (ci)
	HashCountryCodeUCI = "COUNTRYCODEUCI" // the CWT issuer country followed by the ci
	HashSignature      = "SIGNATURE"      // the signature; of an ECDSA one, its first half (r)
)

// RevocationHashLen is the length of a revocation entry.
const RevocationHashLen = 16

// MaxRevocationFile bounds a revocation file: a million entries in the
// JSON form take about 40 MB.
const MaxRevocationFile = 256 << 20

// Revocations holds revoked certificates' hashes grouped, as the Gateway
// publishes them, by the kid of the document signer and the hash type.
// Each group is a sorted array searched in O(log n); 16 bytes an entry.
// It is read-only once loaded and safe for concurrent use.
type Revocations struct {
	groups map[revGroupKey][]revHash
	n      int
}

type revGroupKey struct {
	kid      string
	hashType string
}

// revHash is a 16-byte hash as two big-endian words, compared as numbers.
type revHash struct{ hi, lo uint64 }

func toRevHash(b []byte) revHash {
	return revHash{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

func (a revHash) cmp(b revHash) int {
	switch {
	case a.hi != b.hi:
		if a.hi < b.hi {
			return -1
		}
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// Len is the number of distinct entries.
func (r *Revocations) Len() int {
	if r == nil {
		return 0
	}
	return r.n
}

// RevocationBuilder collects entries before they are sorted into
// Revocations.
type RevocationBuilder struct {
	groups map[revGroupKey][]revHash
}

// Add records one entry: the signer's kid, the hash type and the hash
// (16 bytes; a full 32-byte SHA-256 is cut to 16).
func (b *RevocationBuilder) Add(kid []byte, hashType string, hash []byte) error {
	switch hashType {
	case HashUCI, HashCountryCodeUCI, HashSignature:
	default:
		return fmt.Errorf("unknown hash type %q", hashType)
	}
	if len(kid) == 0 {
		return errors.New("entry without kid")
	}
	if len(hash) != RevocationHashLen && len(hash) != sha256.Size {
		return fmt.Errorf("hash of %d bytes, want %d", len(hash), RevocationHashLen)
	}
	if b.groups == nil {
		b.groups = map[revGroupKey][]revHash{}
	}
	k := revGroupKey{string(kid), hashType}
	b.groups[k] = append(b.groups[k], toRevHash(hash))
	return nil
}

// Build sorts and deduplicates the entries.
func (b *RevocationBuilder) Build() *Revocations {
	r := &Revocations{groups: make(map[revGroupKey][]revHash, len(b.groups))}
	for k, hs := range b.groups {
		slices.SortFunc(hs, revHash.cmp)
		hs = slices.CompactFunc(hs, func(a, b revHash) bool { return a == b })
		r.groups[k] = slices.Clip(hs)
		r.n += len(hs)
	}
	b.groups = nil
	return r
}

// contains reports whether the group (kid, hashType) holds hash.
func (r *Revocations) contains(kid []byte, hashType string, hash [sha256.Size]byte) bool {
	hs := r.groups[revGroupKey{string(kid), hashType}]
	if len(hs) == 0 {
		return false
	}
	_, found := slices.BinarySearchFunc(hs, toRevHash(hash[:]), revHash.cmp)
	return found
}

// Revoked reports whether a certificate signed by kid, with certificate
// identifier uci, CWT issuer country issuer and COSE signature sig (alg
// ES256 or PS256), is revoked under any hash type.
func (r *Revocations) Revoked(kid []byte, uci, issuer string, alg int64, sig []byte) bool {
	if r == nil || len(r.groups) == 0 {
		return false
	}
	if uci != "" {
		if r.contains(kid, HashUCI, sha256.Sum256([]byte(uci))) {
			return true
		}
		if issuer != "" && r.contains(kid, HashCountryCodeUCI, sha256.Sum256([]byte(issuer+uci))) {
			return true
		}
	}
	if len(sig) > 0 {
		signed := sig
		if alg == algES256 {
			// ECDSA signatures are malleable in s: only r names one.
			signed = sig[:len(sig)/2]
		}
		if r.contains(kid, HashSignature, sha256.Sum256(signed)) {
			return true
		}
	}
	return false
}

// revocationBatch is one batch of the Gateway's revocation download.
type revocationBatch struct {
	Kid      string `json:"kid"`
	HashType string `json:"hashType"`
	Entries  []struct {
		Hash string `json:"hash"`
	} `json:"entries"`
}

// ParseRevocations reads the JSON revocation file: an array of batches,
// or an object whose "batches" member is that array; a batch is
// {"kid": base64, "hashType": "UCI"|"COUNTRYCODEUCI"|"SIGNATURE",
// "entries": [{"hash": base64}, ...]}, the Gateway's batch format. Any
// unreadable entry refuses the file: a revocation list is not read in part.
func ParseRevocations(data []byte) (*Revocations, error) {
	var batches []revocationBatch
	if err := json.Unmarshal(data, &batches); err != nil {
		var wrapped struct {
			Batches *[]revocationBatch `json:"batches"`
		}
		if json.Unmarshal(data, &wrapped) != nil || wrapped.Batches == nil {
			return nil, fmt.Errorf(`not a list of revocation batches or an object with "batches": %w`, err)
		}
		batches = *wrapped.Batches
	}
	var b RevocationBuilder
	for i, batch := range batches {
		kid, err := decodeBase64(batch.Kid)
		if err != nil || len(kid) == 0 {
			return nil, fmt.Errorf("batch %d: kid %q is not base64", i, batch.Kid)
		}
		ht := strings.ToUpper(batch.HashType)
		for j, e := range batch.Entries {
			h, err := decodeBase64(e.Hash)
			if err != nil {
				return nil, fmt.Errorf("batch %d entry %d: hash is not base64", i, j)
			}
			if err := b.Add(kid, ht, h); err != nil {
				return nil, fmt.Errorf("batch %d entry %d: %w", i, j, err)
			}
		}
	}
	return b.Build(), nil
}

// LoadRevocations reads a revocation file (see ParseRevocations).
func LoadRevocations(path string) (*Revocations, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dcc revocations: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, MaxRevocationFile)
	if err != nil {
		return nil, fmt.Errorf("dcc revocations %s: %w", path, err)
	}
	r, err := ParseRevocations(data)
	if err != nil {
		return nil, fmt.Errorf("dcc revocations %s: %w", path, err)
	}
	return r, nil
}
