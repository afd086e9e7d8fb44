package authority

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"passdesk/pass"
)

// SignedTrustList signs the trust list as the database holds it now: its
// sequence and every issuer key not yet expired, fresh for ListLifetime.
// The document is opened again with the root public key, as a kiosk would,
// and the opened list is returned with it.
func (a *Authority) SignedTrustList(ctx context.Context, now time.Time) ([]byte, *pass.TrustList, error) {
	snap, err := a.store.TrustState(ctx, now.Unix())
	if err != nil {
		return nil, nil, fmt.Errorf("read trust list: %w", err)
	}
	tl := pass.TrustList{Seq: snap.Seq, IssuedAt: now.Unix(), Expires: now.Add(ListLifetime).Unix()}
	for _, k := range snap.Keys {
		tl.Keys = append(tl.Keys, pass.TrustedKey{
			Kid: k.Kid, Issuer: k.Issuer, Public: ed25519.PublicKey(k.Public),
			NotBefore: k.NotBefore, Expires: k.Expires,
		})
	}
	doc, err := pass.SignTrustList(a.root, tl)
	if err != nil {
		return nil, nil, fmt.Errorf("sign trust list: %w", err)
	}
	opened, err := pass.OpenTrustList(doc, []ed25519.PublicKey{a.RootPublic()}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("trust list does not open with its own root: %w", err)
	}
	return doc, opened, nil
}

// SignedRevocationList signs the revocation list as the database holds it
// now, fresh for ListLifetime, and returns it opened as a kiosk would.
func (a *Authority) SignedRevocationList(ctx context.Context, now time.Time) ([]byte, *pass.RevocationList, error) {
	snap, err := a.store.RevocationState(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read revocation list: %w", err)
	}
	rl := pass.RevocationList{Seq: snap.Seq, IssuedAt: now.Unix(), Expires: now.Add(ListLifetime).Unix(), CIDs: snap.CIDs}
	doc, err := pass.SignRevocationList(a.root, rl)
	if err != nil {
		return nil, nil, fmt.Errorf("sign revocation list: %w", err)
	}
	opened, err := pass.OpenRevocationList(doc, []ed25519.PublicKey{a.RootPublic()}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("revocation list does not open with its own root: %w", err)
	}
	return doc, opened, nil
}
