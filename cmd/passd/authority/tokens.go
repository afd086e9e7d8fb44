package authority

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"passdesk/api"
	"passdesk/cmd/passd/store"
)

// A bearer token is its prefix and 32 random bytes, base64url: 256 bits a
// guesser cannot find, and passd keeps only its SHA-256, so a copy of the
// database lets nobody act as a kiosk. Bearer tokens rather than client
// certificates: a kiosk keeps one line in a file, a proxy or load
// balancer in front of the nodes may end TLS, and revocation is one row
// that every node reads within a second.
const tokenBytes = 32

// HashToken is the SHA-256 under which a token is stored.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// TokenID is a credential's public handle: the first 8 bytes of its hash,
// hex. It names the credential in passd kiosk list and revoke and in logs,
// and is no use to a guesser.
func TokenID(hash [32]byte) string { return hex.EncodeToString(hash[:8]) }

// ValidID says whether s is a well-formed venue or kiosk ID: staff type
// them in the kiosk's settings, so any 1-64 characters of UTF-8 without
// control characters or surrounding spaces ("서울카페 2층" is one).
func ValidID(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

func newToken(prefix string) (token string, hash [32]byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// AddKiosk issues a kiosk credential for venue/kiosk and returns the token,
// which is shown this once: passd keeps its hash only. A kiosk may hold
// several (a replacement issued before the old one is revoked).
func (a *Authority) AddKiosk(ctx context.Context, venueID, kioskID string) (token string, t store.Token, err error) {
	for _, f := range []struct{ name, v string }{{"venue", venueID}, {"kiosk", kioskID}} {
		if !ValidID(f.v) {
			return "", t, fmt.Errorf("%w: %s ID %q is not 1-64 characters without control characters or surrounding spaces",
				ErrInvalid, f.name, f.v)
		}
	}
	token, hash := newToken(api.TokenPrefix)
	t = store.Token{ID: TokenID(hash), Hash: hash, Kind: store.TokenKiosk, VenueID: venueID, KioskID: kioskID,
		Created: a.now().Unix()}
	return token, t, a.store.AddToken(ctx, t)
}

// AddOperator issues an operator credential (it may enroll holders) for
// the person or system named name, and returns the token, shown this once.
func (a *Authority) AddOperator(ctx context.Context, name string) (token string, t store.Token, err error) {
	if !ValidID(name) {
		return "", t, fmt.Errorf("%w: operator name %q is not 1-64 characters without control characters", ErrInvalid, name)
	}
	token, hash := newToken(api.OperatorTokenPrefix)
	t = store.Token{ID: TokenID(hash), Hash: hash, Kind: store.TokenOperator, Name: name, Created: a.now().Unix()}
	return token, t, a.store.AddToken(ctx, t)
}

// RevokeToken revokes the credential with this ID (as passd kiosk list
// shows it). revoked is false when it already was.
func (a *Authority) RevokeToken(ctx context.Context, id string) (revoked bool, err error) {
	return a.store.RevokeToken(ctx, strings.ToLower(id), a.now().Unix())
}

// Tokens lists every credential, revoked ones included.
func (a *Authority) Tokens(ctx context.Context) ([]store.Token, error) {
	snap, err := a.store.Tokens(ctx)
	return snap.Tokens, err
}
