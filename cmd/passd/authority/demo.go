package authority

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

// StaleAge is how old the "stale" demo holder's QR is made: older than the
// 15 s window plus the 5 s skew, so a kiosk denies it as qr_expired.
const StaleAge = 60 * time.Second

// Demo holder labels besides "holder-N".
const (
	RevokedLabel = "revoked"
	StaleLabel   = "stale"
)

// demoNames are the demo holders' names (masked on their credentials).
var demoNames = []string{"김민준", "이서연", "박지호", "최수아", "정예준", "강하은", "조도윤", "윤지우"}

// EnsureDemo makes sure the data directory has at least n valid demo
// holders, plus one whose credential is revoked and one whose QR is always
// StaleAge old. It keeps the holders it already has and returns how many
// it added.
func (a *Authority) EnsureDemo(ctx context.Context, n int) (added int, err error) {
	if n < 0 {
		return 0, fmt.Errorf("%w: --holders %d is negative", ErrInvalid, n)
	}
	have, err := a.store.DemoHolders(ctx)
	if err != nil {
		return 0, err
	}
	labels := map[string]bool{}
	valid := 0
	for _, d := range have {
		labels[d.Label] = true
		if d.Kind == store.DemoValid {
			valid++
		}
	}
	next := 1
	add := func(label, kind string) error {
		if err := a.addDemo(ctx, label, kind, len(have)+added); err != nil {
			return err
		}
		labels[label] = true
		added++
		return nil
	}
	for ; valid < n; valid++ {
		for labels[fmt.Sprintf("holder-%d", next)] {
			next++
		}
		if err := add(fmt.Sprintf("holder-%d", next), store.DemoValid); err != nil {
			return added, err
		}
	}
	for _, x := range []struct{ label, kind string }{{RevokedLabel, store.DemoRevoked}, {StaleLabel, store.DemoStale}} {
		if !labels[x.label] {
			if err := add(x.label, x.kind); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

func (a *Authority) addDemo(ctx context.Context, label, kind string, i int) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	now := a.now()
	e := Enrollment{
		Name:      demoNames[i%len(demoNames)],
		BirthYear: 1960 + (i*7)%45,
		Status:    pass.Status(1 + i%4),
		HolderKey: pub,
	}
	var sub [16]byte
	rand.Read(sub[:])
	iss, c, err := a.issue(ctx, e, sub)
	if err != nil {
		return err
	}
	h := store.Holder{Sub: sub, HolderPub: pub, Name: e.Name, BirthYear: e.BirthYear, Status: int(e.Status), Created: now.Unix()}
	d := store.DemoHolder{Label: label, Kind: kind, HolderSeed: priv.Seed(), CID: iss.CID, Created: now.Unix()}
	return a.store.AddDemoHolder(ctx, h, c, d)
}

// DemoHolders lists the demo holders: valid ones first, then the revoked
// and the stale one.
func (a *Authority) DemoHolders(ctx context.Context) ([]store.DemoHolder, error) {
	return a.store.DemoHolders(ctx)
}

// DemoQR makes d's QR text as its phone would at now; the stale holder's
// is made StaleAge earlier.
func DemoQR(d store.DemoHolder, now time.Time) (string, error) {
	if len(d.HolderSeed) != ed25519.SeedSize {
		return "", fmt.Errorf("demo holder %s: key seed is %d bytes", d.Label, len(d.HolderSeed))
	}
	iat := now
	if d.Kind == store.DemoStale {
		iat = now.Add(-StaleAge)
	}
	return pass.Present(d.Credential, ed25519.NewKeyFromSeed(d.HolderSeed), iat.Unix())
}
