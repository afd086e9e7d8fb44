// Package store defines passd's state behind one interface, Store: issuer
// key metadata, holders and their credentials, revocations, the central
// entries register, kiosk and operator credentials, the demo holders' keys
// and the sequence numbers of the signed lists. Two adapters satisfy it:
// store/sqlite (one node, the default) and store/postgres (several nodes
// sharing one database). Signing keys are never in a Store: each node reads
// the key files it is given.
package store

import (
	"context"
	"errors"
	"fmt"
)

// Errors an adapter returns, wrapped or as is; callers test with errors.Is.
var (
	// ErrNotFound is returned when a looked-up row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is returned when a row to add is already there (a holder
	// key enrolled before, a credential token hash issued twice).
	ErrExists = errors.New("already exists")
	// ErrConflict is returned (inside a *ConflictError) when an entry ID
	// is already held with other content.
	ErrConflict = errors.New("entry ID already held with other content")
	// ErrUnavailable marks an error of the database link itself (down,
	// unreachable, shutting down): the write was not made and may be
	// tried again later. Callers answer 503 with Retry-After.
	ErrUnavailable = errors.New("database unavailable")
)

// ConflictError names the entry whose ID is held with other content.
type ConflictError struct {
	VenueID, KioskID, ID string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("entry %q of %s/%s is already held with other content", e.ID, e.VenueID, e.KioskID)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Store is passd's database. Implementations are safe for concurrent use,
// and several processes (passd serve nodes and the passd CLI) may share one.
type Store interface {
	Close() error

	// AddIssuerKey records k and, when k.Current, makes it the only
	// current key. The trust list sequence grows.
	AddIssuerKey(ctx context.Context, k IssuerKey) error
	// TrustState returns the trust list sequence and every issuer key
	// that has not expired at now (Unix seconds), read consistently.
	TrustState(ctx context.Context, now int64) (TrustSnapshot, error)
	// CurrentIssuerKey returns the key new credentials are signed with.
	CurrentIssuerKey(ctx context.Context) (IssuerKey, error)

	// HolderByKey returns the holder enrolled with the given public key.
	HolderByKey(ctx context.Context, pub []byte) (Holder, error)
	// HolderBySub returns the holder with the pseudonymous ID sub.
	HolderBySub(ctx context.Context, sub [16]byte) (Holder, error)
	// CredentialByID returns an issued credential.
	CredentialByID(ctx context.Context, cid [16]byte) (Credential, error)
	// AddHolder stores a new holder and its first credential in one
	// transaction; ErrExists when the key (or sub) is already enrolled:
	// enrollment never changes an existing holder.
	AddHolder(ctx context.Context, h Holder, c Credential) error
	// Reissue stores a new credential for an existing holder, with the
	// holder's new status, name and birth year, in one transaction.
	Reissue(ctx context.Context, h Holder, c Credential) error
	// CredentialExists reports whether passd issued the credential cid.
	CredentialExists(ctx context.Context, cid [16]byte) (bool, error)

	// Revoke adds cid to the revocation list; the list sequence grows. It
	// reports false, and changes nothing, when cid was already revoked.
	Revoke(ctx context.Context, cid [16]byte, at int64, note string) (bool, error)
	// RevocationState returns the revocation list sequence and every
	// revoked credential ID, read consistently, oldest revocation first.
	RevocationState(ctx context.Context) (RevocationSnapshot, error)

	// StoreEntries records a kiosk's batch, idempotent by (venue, kiosk,
	// entry ID): an entry already held with the same content is counted
	// as a duplicate; one held with other content fails the whole batch
	// with a *ConflictError. The kiosk's last_seen is updated in the same
	// transaction, so a failed batch stores nothing at all.
	StoreEntries(ctx context.Context, venueID, kioskID string, received int64, es []Entry) (stored, duplicate int, err error)
	// CountEntries returns how many entries the register holds for a kiosk.
	CountEntries(ctx context.Context, venueID, kioskID string) (int, error)
	// EntryByID returns one stored entry.
	EntryByID(ctx context.Context, venueID, kioskID, id string) (Entry, error)
	// Kiosks lists the kiosks that have uploaded entries.
	Kiosks(ctx context.Context) ([]Kiosk, error)

	// AddToken records an issued kiosk or operator credential (its hash
	// only); the token sequence grows.
	AddToken(ctx context.Context, t Token) error
	// RevokeToken revokes the credential with this ID; false when it was
	// already revoked. ErrNotFound when there is none.
	RevokeToken(ctx context.Context, id string, at int64) (bool, error)
	// Tokens returns the token sequence and every credential, revoked
	// ones included, read consistently.
	Tokens(ctx context.Context) (TokenSnapshot, error)

	// AddDemoHolder stores an issued demo holder: the holder, its
	// credential and its key, and, for a revoked one, the revocation.
	AddDemoHolder(ctx context.Context, h Holder, c Credential, d DemoHolder) error
	// DemoHolders lists the demo holders, valid ones first, in creation order.
	DemoHolders(ctx context.Context) ([]DemoHolder, error)

	// Seqs returns the trust list and revocation list sequence numbers.
	// They grow on every change, so a reader polls them to notice changes
	// made by another process or node.
	Seqs(ctx context.Context) (tl, rl uint64, err error)
	// TokenSeq returns the credentials' sequence number, which grows on
	// every credential added or revoked.
	TokenSeq(ctx context.Context) (uint64, error)
	// BumpTrustListSeq increments the trust list sequence (a re-signing)
	// and returns the new value.
	BumpTrustListSeq(ctx context.Context) (uint64, error)
	// BumpRevocationSeq increments the revocation list sequence and
	// returns the new value.
	BumpRevocationSeq(ctx context.Context) (uint64, error)
}

// Presentations is the one-time-use set shared by several nodes; only an
// adapter that several nodes share (PostgreSQL) has one. A single node
// keeps the set in memory.
type Presentations interface {
	// ClaimPresentation records that p was admitted at p's kiosk, unless
	// (cid, iat) is already held and not expired at now; it returns the
	// holder of the claim: p itself when it is new, the first kiosk's
	// claim otherwise.
	ClaimPresentation(ctx context.Context, p Presentation, now int64) (first Presentation, err error)
	// ClaimPresentations is ClaimPresentation for several presentations
	// of distinct (cid, iat) in one round trip; first[i] answers ps[i].
	ClaimPresentations(ctx context.Context, ps []Presentation, now int64) (first []Presentation, err error)
	// PurgePresentations deletes the claims expired at now.
	PurgePresentations(ctx context.Context, now int64) (int64, error)
}

// Presentation is one admitted presentation: a credential ID and the
// phone's iat, admitted at a kiosk, remembered until Expires.
type Presentation struct {
	CID              [16]byte
	IAT              int64
	VenueID, KioskID string
	Expires          int64
}
