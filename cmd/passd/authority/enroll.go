package authority

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

// Enrollment is a holder's first authentication (identity proofing is out
// of scope).
type Enrollment struct {
	Name      string // the holder's full name; the credential carries it masked
	BirthYear int    // 0 when not given
	Status    pass.Status
	HolderKey ed25519.PublicKey
}

// Issued is an issued credential.
type Issued struct {
	Credential []byte // COSE_Sign1 bytes
	CID        [16]byte
	Sub        [16]byte
	Claims     pass.Claims
}

// maxNameRunes bounds an enrolled name.
const maxNameRunes = 64

// Check reports what is wrong with an enrollment, wrapping ErrInvalid.
func (e Enrollment) Check(thisYear int) error {
	name := strings.TrimSpace(e.Name)
	switch {
	case name == "":
		return fmt.Errorf("%w: name is empty", ErrInvalid)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: name is not UTF-8", ErrInvalid)
	case utf8.RuneCountInString(name) > maxNameRunes:
		return fmt.Errorf("%w: name is longer than %d characters", ErrInvalid, maxNameRunes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: name has control characters", ErrInvalid)
	case e.BirthYear != 0 && (e.BirthYear < 1900 || e.BirthYear > thisYear):
		return fmt.Errorf("%w: birth_year %d is not between 1900 and %d", ErrInvalid, e.BirthYear, thisYear)
	case e.Status < pass.Vaccinated || e.Status > pass.MedicalExemption:
		return fmt.Errorf("%w: status %d is not 1-4", ErrInvalid, e.Status)
	case len(e.HolderKey) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: holder_public_key is %d bytes, want %d", ErrInvalid, len(e.HolderKey), ed25519.PublicKeySize)
	}
	return nil
}

// Enroll issues a credential for e with the current issuer key. A holder
// enrolling again with the same key keeps its pseudonymous ID (sub) and
// gets a new credential.
func (a *Authority) Enroll(ctx context.Context, e Enrollment) (Issued, error) {
	now := a.now()
	if err := e.Check(now.UTC().Year()); err != nil {
		return Issued{}, err
	}
	var sub [16]byte
	h, err := a.store.HolderByKey(ctx, e.HolderKey)
	switch {
	case err == nil:
		sub = h.Sub
	case errors.Is(err, store.ErrNotFound):
		rand.Read(sub[:])
	default:
		return Issued{}, err
	}
	iss, c, err := a.issue(ctx, e, sub)
	if err != nil {
		return Issued{}, err
	}
	holder := store.Holder{Sub: sub, HolderPub: e.HolderKey, Name: strings.TrimSpace(e.Name),
		BirthYear: e.BirthYear, Status: int(e.Status), Created: now.Unix()}
	if err := a.store.SaveIssue(ctx, holder, c); err != nil {
		return Issued{}, err
	}
	return iss, nil
}

// issue signs a credential for e and sub; the caller stores it.
func (a *Authority) issue(ctx context.Context, e Enrollment, sub [16]byte) (Issued, store.Credential, error) {
	key, priv, err := a.currentIssuer(ctx)
	if err != nil {
		return Issued{}, store.Credential{}, err
	}
	now := a.now()
	exp := now.Add(CredentialLifetime).Unix()
	if exp > key.Expires {
		exp = key.Expires
	}
	cl := pass.Claims{
		Issuer:    key.Issuer,
		Sub:       sub,
		Name:      MaskName(e.Name),
		Status:    e.Status,
		NotBefore: now.Add(-backdate).Unix(),
		Expires:   exp,
		HolderKey: e.HolderKey,
		BirthYear: e.BirthYear,
	}
	rand.Read(cl.CID[:])
	cred, err := pass.IssueCredential(priv, cl)
	if err != nil {
		return Issued{}, store.Credential{}, err
	}
	c := store.Credential{CID: cl.CID, Sub: sub, Kid: key.Kid, NotBefore: cl.NotBefore, Expires: cl.Expires,
		Credential: cred, Issued: now.Unix()}
	return Issued{Credential: cred, CID: cl.CID, Sub: sub, Claims: cl}, c, nil
}

// MaskName masks a name the way the venue may see it: the first and last
// characters kept, the ones between starred ("홍길동" -> "홍*동"); a
// two-character name keeps its first ("길동" -> "길*").
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0, 1:
		return string(r)
	case 2:
		return string(r[0]) + "*"
	}
	var b strings.Builder
	b.WriteRune(r[0])
	for _, c := range r[1 : len(r)-1] {
		if c == ' ' {
			b.WriteRune(' ')
		} else {
			b.WriteRune('*')
		}
	}
	b.WriteRune(r[len(r)-1])
	return b.String()
}
