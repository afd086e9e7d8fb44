package app

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service is the authority's online service as the engine uses it.
// app/remote satisfies it over HTTP; tests use small fakes.
//
// A method that could not use the service (timeout, refused or reset
// connection, DNS failure, 429, 5xx, an unreadable answer) returns an
// error wrapping *Unavailable; those errors trip the breaker. Any other
// error (a 4xx the kiosk caused) still makes the engine fall back to the
// offline verdict but says nothing about the service's health.
type Service interface {
	Verify(ctx context.Context, c Check) (OnlineVerdict, error)
	// Upload stores entries in the central register, idempotent by ID.
	Upload(ctx context.Context, venueID, kioskID string, entries []Entry) error
	// FetchList fetches a signed list; with etag set and the list
	// unchanged, it returns a ListDoc with NotModified set.
	FetchList(ctx context.Context, kind ListKind, etag string) (ListDoc, error)
	// Health is the breaker's background probe.
	Health(ctx context.Context) error
	// Clock returns the service's clock (HTTP Date) from the latest
	// answer and the kiosk's clock at that moment; ok is false before any.
	Clock() (service, local time.Time, ok bool)
}

// Check asks for an online verdict.
type Check struct {
	QR      string
	VenueID string
	KioskID string
	ScanID  string // the entry ID, so the register can join scan and entry
}

// OnlineVerdict is the service's answer.
type OnlineVerdict struct {
	Admit  bool
	Reason string
	Name   string
	Status int
	CID    []byte
}

// ListKind names one of the root-signed lists.
type ListKind string

// The signed lists.
const (
	TrustListKind   ListKind = "trustlist"
	RevocationsKind ListKind = "revocations"
)

// ListDoc is a signed list as fetched or stored, not yet verified.
type ListDoc struct {
	Doc         []byte
	ETag        string
	NotModified bool
}

// ListStore keeps the last good signed lists on disk so that a kiosk
// starting during an outage can still verify offline.
type ListStore interface {
	// Load returns the stored document; ErrNotFound when there is none.
	Load(kind ListKind) (ListDoc, error)
	// Save replaces the stored document atomically.
	Save(kind ListKind, d ListDoc) error
}

// Unavailable says the service could not be used. Cause is the short
// words an outage is recorded with: "timeout", "http 503",
// "connection refused".
type Unavailable struct {
	Cause      string
	RetryAfter time.Duration // from a 429 or 503, zero when not given
	Err        error
}

func (u *Unavailable) Error() string {
	if u.Err != nil {
		return fmt.Sprintf("service unavailable (%s): %v", u.Cause, u.Err)
	}
	return "service unavailable (" + u.Cause + ")"
}

func (u *Unavailable) Unwrap() error { return u.Err }

// ErrUnauthorized says the service does not accept this kiosk's
// credential (401): a configuration problem for the IT person, not an
// outage, so it never opens the breaker.
var ErrUnauthorized = errors.New("the service does not accept this kiosk's credential: issue one with `passd kiosk add` and name its file in credential_file")

// unavailable reports whether err says the service could not be used, and
// why. A context deadline counts as a timeout even when the adapter did not
// wrap it.
func unavailable(err error) (*Unavailable, bool) {
	var u *Unavailable
	if errors.As(err, &u) {
		return u, true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Unavailable{Cause: "timeout", Err: err}, true
	}
	return nil, false
}
