package pass

import (
	"crypto/ed25519"
	"fmt"
	"math"
	"strings"

	"passdesk/pass/base45"
)

// Claim keys (DESIGN.md "The PD1 pass format").
const (
	presCredential = 1
	presIssuedAt   = 2

	claimIssuer    = 1
	claimCID       = 2
	claimSub       = 3
	claimName      = 4
	claimStatus    = 5
	claimNotBefore = 6
	claimExpires   = 7
	claimHolderKey = 8
	claimBirthYear = 9
)

// decoded is a parsed presentation; its unexported fields hold what
// verification needs beyond the exported ones.
type decoded = Presentation

// Parse decodes a PD1 QR text without verifying it (DESIGN.md checks 1 and
// 2). Its error carries UnsupportedFormat or Malformed; see ReasonOf.
func Parse(text string) (*Presentation, error) {
	return parse(text)
}

func parse(text string) (*decoded, error) {
	if !strings.HasPrefix(text, Prefix) {
		return nil, &Error{Reason: UnsupportedFormat, Msg: fmt.Sprintf("text does not start with %q", Prefix)}
	}
	if len(text) > MaxTextLen {
		return nil, malformedf("text is %d characters, longer than %d", len(text), MaxTextLen)
	}
	raw, err := base45.Decode(text[len(Prefix):])
	if err != nil {
		return nil, malformed("base45", err)
	}
	d := &decoded{}
	d.Raw = raw

	if d.pres, err = parseSign1(passMode, raw, "presentation"); err != nil {
		return nil, err
	}
	pm, err := decodeMap(passMode, d.pres.payload, "presentation payload")
	if err != nil {
		return nil, err
	}
	if d.Credential, err = getBytes(pm, ukey(presCredential), 0, "presentation credential (1)"); err != nil {
		return nil, err
	}
	if d.iat, err = getUint(pm, ukey(presIssuedAt), "presentation iat (2)"); err != nil {
		return nil, err
	}
	d.IssuedAt = clamp(d.iat)

	if d.cred, err = parseSign1(passMode, d.Credential, "credential"); err != nil {
		return nil, err
	}
	kid, err := d.cred.kid(len(d.Kid), "credential")
	if err != nil {
		return nil, err
	}
	copy(d.Kid[:], kid)
	cm, err := decodeMap(passMode, d.cred.payload, "credential payload")
	if err != nil {
		return nil, err
	}
	if err := d.readClaims(cm); err != nil {
		return nil, err
	}
	return d, nil
}

// readClaims fills d.Claims from the credential payload map. Unknown keys
// are ignored.
func (d *decoded) readClaims(m map[any]any) error {
	c := &d.Claims
	var err error
	if c.Issuer, err = getText(m, ukey(claimIssuer), "iss (1)"); err != nil {
		return err
	}
	cid, err := getBytes(m, ukey(claimCID), len(c.CID), "cid (2)")
	if err != nil {
		return err
	}
	copy(c.CID[:], cid)
	sub, err := getBytes(m, ukey(claimSub), len(c.Sub), "sub (3)")
	if err != nil {
		return err
	}
	copy(c.Sub[:], sub)
	if c.Name, err = getText(m, ukey(claimName), "nam (4)"); err != nil {
		return err
	}
	sts, err := getUint(m, ukey(claimStatus), "sts (5)")
	if err != nil {
		return err
	}
	// A status beyond the Status range is one no policy admits; it must not
	// wrap onto a valid one.
	if sts <= math.MaxUint8 {
		c.Status = Status(sts)
	}
	if d.nbf, err = getUint(m, ukey(claimNotBefore), "nbf (6)"); err != nil {
		return err
	}
	if d.exp, err = getUint(m, ukey(claimExpires), "exp (7)"); err != nil {
		return err
	}
	c.NotBefore, c.Expires = clamp(d.nbf), clamp(d.exp)
	hpk, err := getBytes(m, ukey(claimHolderKey), ed25519.PublicKeySize, "hpk (8)")
	if err != nil {
		return err
	}
	c.HolderKey = ed25519.PublicKey(hpk)
	if _, ok := m[ukey(claimBirthYear)]; ok {
		byr, err := getUint(m, ukey(claimBirthYear), "byr (9)")
		if err != nil {
			return err
		}
		c.BirthYear = int(min(byr, math.MaxInt32))
	}
	return nil
}

// clamp converts an encoded uint time to int64, saturating: every such
// time is later than any now, so comparisons keep their outcome.
func clamp(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
