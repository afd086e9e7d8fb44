// Package apptest holds what tests of the kiosk engine share: a small
// world of keys and signed lists that makes real PD1 passes, and
// hand-written fakes of the engine's ports (a ledger, a service, a list
// store). Nothing here touches the network or the disk.
package apptest

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"passdesk/pass"
)

// Issuer is the issuer ID of the world's passes.
const Issuer = "KR-TEST"

// World is a root, an issuer and the lists they sign, valid around Epoch.
type World struct {
	Root       ed25519.PrivateKey
	RootKey    string // the root public key as the configuration pins it
	IssuerKey  ed25519.PrivateKey
	Epoch      time.Time
	TrustList  []byte // seq 2
	OldTrust   []byte // seq 1, for rollback tests
	Revocation []byte // seq 1, revoking RevokedCID
	RevokedCID [16]byte

	mu sync.Mutex
	n  byte
}

// NewWorld makes keys and lists valid for a year around epoch.
func NewWorld(epoch time.Time) (*World, error) {
	w := &World{Epoch: epoch}
	var err error
	if _, w.Root, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return nil, err
	}
	if _, w.IssuerKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return nil, err
	}
	w.RootKey = pass.EncodeRootKey(w.Root.Public().(ed25519.PublicKey))
	pub := w.IssuerKey.Public().(ed25519.PublicKey)
	key := pass.TrustedKey{Kid: pass.KeyID(pub), Issuer: Issuer, Public: pub,
		NotBefore: epoch.Add(-365 * 24 * time.Hour).Unix(), Expires: epoch.Add(365 * 24 * time.Hour).Unix()}
	if w.TrustList, err = w.SignTrust(2, key); err != nil {
		return nil, err
	}
	if w.OldTrust, err = w.SignTrust(1, key); err != nil {
		return nil, err
	}
	w.RevokedCID = [16]byte{0xde, 0xad}
	w.Revocation, err = pass.SignRevocationList(w.Root, pass.RevocationList{
		Seq: 1, IssuedAt: epoch.Add(-time.Hour).Unix(), Expires: epoch.Add(30 * 24 * time.Hour).Unix(),
		CIDs: [][16]byte{w.RevokedCID},
	})
	return w, err
}

// SignTrust signs a trust list of the given seq holding keys.
func (w *World) SignTrust(seq uint64, keys ...pass.TrustedKey) ([]byte, error) {
	return pass.SignTrustList(w.Root, pass.TrustList{
		Seq: seq, IssuedAt: w.Epoch.Add(-time.Hour).Unix(), Expires: w.Epoch.Add(30 * 24 * time.Hour).Unix(), Keys: keys,
	})
}

// Forged is a trust list signed by a key that is not the pinned root.
func (w *World) Forged() ([]byte, error) {
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	pub := w.IssuerKey.Public().(ed25519.PublicKey)
	return pass.SignTrustList(other, pass.TrustList{
		Seq: 99, IssuedAt: w.Epoch.Unix(), Expires: w.Epoch.Add(time.Hour).Unix(),
		Keys: []pass.TrustedKey{{Kid: pass.KeyID(pub), Issuer: Issuer, Public: pub, Expires: w.Epoch.Add(time.Hour).Unix()}},
	})
}

// Holder is a credential and the key that presents it.
type Holder struct {
	Name       string
	CID        [16]byte
	Credential []byte
	Key        ed25519.PrivateKey
}

// NewHolder issues a credential with status 1 (vaccinated); revoked
// holders carry the revoked CID.
func (w *World) NewHolder(name string, revoked bool) (*Holder, error) {
	_, hk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.n++
	n := w.n
	w.mu.Unlock()
	h := &Holder{Name: name, Key: hk}
	h.CID = [16]byte{1, n}
	if revoked {
		h.CID = w.RevokedCID
	}
	h.Credential, err = pass.IssueCredential(w.IssuerKey, pass.Claims{
		Issuer: Issuer, CID: h.CID, Sub: [16]byte{2, n}, Name: name, Status: pass.Vaccinated,
		NotBefore: w.Epoch.Add(-24 * time.Hour).Unix(), Expires: w.Epoch.Add(300 * 24 * time.Hour).Unix(),
		HolderKey: hk.Public().(ed25519.PublicKey),
	})
	return h, err
}

// Present makes the holder's QR text at t.
func (h *Holder) Present(t time.Time) string {
	s, err := pass.Present(h.Credential, h.Key, t.Unix())
	if err != nil {
		panic(fmt.Sprintf("apptest: present: %v", err)) // keys made by NewHolder never fail
	}
	return s
}

// Clock is a settable clock for Deps.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
