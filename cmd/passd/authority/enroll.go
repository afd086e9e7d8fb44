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
	}
	if err := CheckHolderKey(e.HolderKey); err != nil {
		return fmt.Errorf("%w: holder_public_key %v", ErrInvalid, err)
	}
	return nil
}

// ErrEnrolled says a holder key is already enrolled: enrollment never
// changes an existing holder (passd reissue does, explicitly).
var ErrEnrolled = errors.New("this holder key is already enrolled; a new credential for it is passd reissue's job")

// Enroll issues a credential for a new holder with the current issuer key.
// A key already enrolled gets ErrEnrolled and changes nothing.
func (a *Authority) Enroll(ctx context.Context, e Enrollment) (Issued, error) {
	now := a.now()
	if err := e.Check(now.UTC().Year()); err != nil {
		return Issued{}, err
	}
	if _, err := a.store.HolderByKey(ctx, e.HolderKey); err == nil {
		return Issued{}, ErrEnrolled
	} else if !errors.Is(err, store.ErrNotFound) {
		return Issued{}, err
	}
	var sub [16]byte
	rand.Read(sub[:])
	iss, c, err := a.issue(ctx, e, sub)
	if err != nil {
		return Issued{}, err
	}
	holder := store.Holder{Sub: sub, HolderPub: e.HolderKey, Name: strings.TrimSpace(e.Name),
		BirthYear: e.BirthYear, Status: int(e.Status), Created: now.Unix()}
	err = a.store.AddHolder(ctx, holder, c)
	if errors.Is(err, store.ErrExists) {
		return Issued{}, ErrEnrolled // enrolled by another request a moment ago
	}
	if err != nil {
		return Issued{}, err
	}
	return iss, nil
}

// Reissue issues a new credential for the holder of credential cid (same
// key, same sub), with a new status; name and birth year are kept unless
// given (name "" and birthYear 0 keep them). The old credential is revoked
// in the same step when revokeOld.
func (a *Authority) Reissue(ctx context.Context, cid [16]byte, status pass.Status, name string, birthYear int, revokeOld bool) (Issued, error) {
	old, err := a.store.CredentialByID(ctx, cid)
	if err != nil {
		return Issued{}, fmt.Errorf("credential %x: %w", cid, err)
	}
	h, err := a.store.HolderBySub(ctx, old.Sub)
	if err != nil {
		return Issued{}, fmt.Errorf("holder of %x: %w", cid, err)
	}
	e := Enrollment{Name: h.Name, BirthYear: h.BirthYear, Status: pass.Status(h.Status), HolderKey: h.HolderPub}
	if name != "" {
		e.Name = name
	}
	if birthYear != 0 {
		e.BirthYear = birthYear
	}
	if status != 0 {
		e.Status = status
	}
	if err := e.Check(a.now().UTC().Year()); err != nil {
		return Issued{}, err
	}
	iss, c, err := a.issue(ctx, e, h.Sub)
	if err != nil {
		return Issued{}, err
	}
	h.Name, h.BirthYear, h.Status = strings.TrimSpace(e.Name), e.BirthYear, int(e.Status)
	if err := a.store.Reissue(ctx, h, c); err != nil {
		return Issued{}, err
	}
	if revokeOld {
		if _, _, err := a.Revoke(ctx, cid, fmt.Sprintf("reissued as %x", iss.CID)); err != nil {
			return iss, fmt.Errorf("new credential %x issued, but revoking the old one failed: %w", iss.CID, err)
		}
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
