// Package authority is passd's issuer and list signer: it owns a data
// directory (the root and issuer key files and the SQLite store), enrolls
// holders, revokes credentials, rotates the issuer key, signs the trust and
// revocation lists, and keeps the demo holders whose QR texts it can mint.
// Both passd serve and the passd CLI commands work through it, so that
// several processes may share one data directory.
package authority

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

// Lifetimes of what the authority signs.
const (
	IssuerKeyLifetime  = 2 * 365 * 24 * time.Hour
	CredentialLifetime = 365 * 24 * time.Hour
	// ListLifetime is how long a signed list stays fresh; the server
	// re-signs well before that.
	ListLifetime = 24 * time.Hour
	// backdate moves nbf a little into the past so that a kiosk whose
	// clock is a few minutes slow accepts a key or a credential at once.
	backdate = 5 * time.Minute
)

// DefaultIssuer is the issuer ID a data directory gets unless told otherwise.
const DefaultIssuer = "KR-KDCA"

// ErrNotInitialized says a data directory has no root key yet.
var ErrNotInitialized = errors.New("data directory is not initialized (run passd init --data DIR)")

// ErrInvalid marks an error caused by bad input (an enrollment with a bad
// name, status or key); callers map it to a 400.
var ErrInvalid = errors.New("invalid")

// Authority is an open data directory. It is safe for concurrent use.
type Authority struct {
	dir   string
	store store.Store
	root  ed25519.PrivateKey
	now   func() time.Time

	mu      sync.Mutex
	issuers map[[8]byte]ed25519.PrivateKey // loaded issuer key files
}

// Init makes a data directory: a root key, a first issuer key for issuer
// (DefaultIssuer when empty) and the database. On a directory that already
// has a root key it keeps every key (adding an issuer key only if none is
// recorded) and returns created false. It returns the root public key.
func Init(dir, issuer string, now time.Time) (root ed25519.PublicKey, created bool, err error) {
	if issuer == "" {
		issuer = DefaultIssuer
	}
	if err := ownerOnlyDir(dir); err != nil {
		return nil, false, err
	}
	rootPath := filepath.Join(dir, rootKeyFile)
	ok, err := exists(rootPath)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, err
		}
		if err := writeKey(rootPath, priv); err != nil {
			return nil, false, fmt.Errorf("write root key: %w", err)
		}
		created = true
	}
	a, err := Open(dir, func() time.Time { return now })
	if err != nil {
		return nil, false, err
	}
	defer a.Close()
	pub := a.RootPublic()
	if err := writeFileAtomic(filepath.Join(dir, rootPubFile), []byte(pass.EncodeRootKey(pub)+"\n"), 0o600); err != nil {
		return nil, false, fmt.Errorf("write root public key: %w", err)
	}
	if _, err := a.store.CurrentIssuerKey(context.Background()); errors.Is(err, store.ErrNotFound) {
		if _, err := a.addIssuerKey(context.Background(), issuer); err != nil {
			return nil, false, err
		}
		created = true
	} else if err != nil {
		return nil, false, err
	}
	return pub, created, nil
}

// Open opens an initialized data directory with its SQLite database. now
// is the clock (time.Now when nil).
func Open(dir string, now func() time.Time) (*Authority, error) {
	return OpenDB(dir, "", now)
}

// OpenDB opens an initialized data directory with the database db: a
// postgres:// or postgresql:// URL, or "" for the directory's own SQLite
// file. The signing keys are always the directory's files.
func OpenDB(dir, db string, now func() time.Time) (*Authority, error) {
	if now == nil {
		now = time.Now
	}
	if err := ownerOnlyDir(dir); err != nil {
		return nil, err
	}
	root, err := readKey(filepath.Join(dir, rootKeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotInitialized)
	}
	if err != nil {
		return nil, err
	}
	s, err := openStore(dir, db)
	if err != nil {
		return nil, err
	}
	return &Authority{dir: dir, store: s, root: root, now: now, issuers: map[[8]byte]ed25519.PrivateKey{}}, nil
}

// Close closes the database.
func (a *Authority) Close() error { return a.store.Close() }

// Store is the authority's database.
func (a *Authority) Store() store.Store { return a.store }

// Dir is the data directory.
func (a *Authority) Dir() string { return a.dir }

// Now is the authority's clock.
func (a *Authority) Now() time.Time { return a.now() }

// RootPublic is the root public key kiosks pin.
func (a *Authority) RootPublic() ed25519.PublicKey { return a.root.Public().(ed25519.PublicKey) }

// addIssuerKey makes a new issuer key file and records it as current.
func (a *Authority) addIssuerKey(ctx context.Context, issuer string) ([8]byte, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return [8]byte{}, err
	}
	kid := pass.KeyID(pub)
	if err := writeKey(filepath.Join(a.dir, issuerKeyFile(kid)), priv); err != nil {
		return kid, fmt.Errorf("write issuer key: %w", err)
	}
	now := a.now()
	err = a.store.AddIssuerKey(ctx, store.IssuerKey{
		Kid:       kid,
		Issuer:    issuer,
		Public:    pub,
		NotBefore: now.Add(-backdate).Unix(),
		Expires:   now.Add(IssuerKeyLifetime).Unix(),
		Created:   now.Unix(),
		Current:   true,
	})
	if err != nil {
		return kid, err
	}
	a.mu.Lock()
	a.issuers[kid] = priv
	a.mu.Unlock()
	return kid, nil
}

// RotateIssuer makes a new issuer key, for the same issuer ID, the one new
// credentials are signed with. The old key stays in the trust list until
// its own expiry, so the credentials it signed stay valid; the trust list
// sequence grows.
func (a *Authority) RotateIssuer(ctx context.Context) (kid [8]byte, err error) {
	cur, err := a.store.CurrentIssuerKey(ctx)
	if err != nil {
		return kid, fmt.Errorf("current issuer key: %w", err)
	}
	return a.addIssuerKey(ctx, cur.Issuer)
}

// currentIssuer returns the current issuer key's record and private key.
func (a *Authority) currentIssuer(ctx context.Context) (store.IssuerKey, ed25519.PrivateKey, error) {
	cur, err := a.store.CurrentIssuerKey(ctx)
	if err != nil {
		return cur, nil, fmt.Errorf("current issuer key: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if priv, ok := a.issuers[cur.Kid]; ok {
		return cur, priv, nil
	}
	priv, err := readKey(filepath.Join(a.dir, issuerKeyFile(cur.Kid)))
	if err != nil {
		return cur, nil, fmt.Errorf("issuer key: %w", err)
	}
	if pass.KeyID(priv.Public().(ed25519.PublicKey)) != cur.Kid {
		return cur, nil, fmt.Errorf("issuer key file %s does not hold key %x", issuerKeyFile(cur.Kid), cur.Kid)
	}
	a.issuers[cur.Kid] = priv
	return cur, priv, nil
}

// Revoke revokes the credential cid. added is false when it was already
// revoked; known says whether this authority issued it (an unknown cid is
// still revoked: it may come from an earlier database).
func (a *Authority) Revoke(ctx context.Context, cid [16]byte, note string) (added, known bool, err error) {
	known, err = a.store.CredentialExists(ctx, cid)
	if err != nil {
		return false, false, err
	}
	added, err = a.store.Revoke(ctx, cid, a.now().Unix(), note)
	return added, known, err
}
