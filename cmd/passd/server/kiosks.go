package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/store"
)

// principal is who a request's credential says it comes from.
type principal struct {
	id      string // the credential's public ID
	kind    string // store.TokenKiosk or store.TokenOperator
	venueID string
	kioskID string
	name    string
}

// credentials authenticates requests by their bearer token. The valid
// credentials are held in memory, by the SHA-256 of their token, and
// reloaded when the database's credential sequence moves (polled with the
// lists), so a check costs a hash and a map lookup, a credential revoked
// on any node is refused everywhere within a poll, and authentication goes
// on while the database is briefly unreachable.
type credentials struct {
	st  store.Store
	log *slog.Logger

	mu     sync.Mutex // serializes reloads
	seq    uint64
	byHash atomic.Pointer[map[[32]byte]principal]
	// lastMiss rate-limits the reload an unknown token triggers, so
	// that a credential made a moment ago by passd kiosk add works at
	// once while random tokens cannot make every request a query.
	lastMiss atomic.Int64
}

// missReloadEvery is how often an unknown token may trigger a reload.
const missReloadEvery = time.Second

// newCredentials loads the credentials. kiosksFile is the retired
// allow-list: its presence is reported, never read.
func newCredentials(st store.Store, kiosksFile string, log *slog.Logger) (*credentials, error) {
	c := &credentials{st: st, log: log}
	empty := map[[32]byte]principal{}
	c.byHash.Store(&empty)
	if err := c.load(context.Background()); err != nil {
		return nil, err
	}
	if _, err := os.Stat(kiosksFile); err == nil {
		log.Warn("kiosks.txt is no longer read: every kiosk now needs a credential (passd kiosk add --venue V --kiosk K); "+
			"the file can be deleted", "file", kiosksFile)
	} else if !errors.Is(err, fs.ErrNotExist) {
		log.Warn("kiosks.txt is no longer read", "file", kiosksFile, "err", err)
	}
	return c, nil
}

// reload reads the credentials again when they changed; it is called on
// every poll.
func (c *credentials) reload() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.load(ctx)
}

func (c *credentials) load(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, err := c.st.TokenSeq(ctx)
	if err != nil {
		return err
	}
	if seq == c.seq {
		return nil
	}
	snap, err := c.st.Tokens(ctx)
	if err != nil {
		return err
	}
	m := make(map[[32]byte]principal, len(snap.Tokens))
	for _, t := range snap.Tokens {
		if t.Revoked == 0 {
			m[t.Hash] = principal{id: t.ID, kind: t.Kind, venueID: t.VenueID, kioskID: t.KioskID, name: t.Name}
		}
	}
	c.byHash.Store(&m)
	c.seq = snap.Seq
	return nil
}

// authenticate returns the principal of r's bearer token, which must be of
// kind; it answers 401 for a missing, unknown or revoked token and 403 for
// one of another kind.
func (c *credentials) authenticate(r *http.Request, kind string) (principal, error) {
	h := r.Header.Get(api.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, api.BearerPrefix)
	if !ok || token == "" {
		return principal{}, errorf(http.StatusUnauthorized, api.ReasonUnauthorized,
			"this request needs a credential: \"Authorization: Bearer TOKEN\" with a token from passd %s add", kindCommand(kind))
	}
	hash := authority.HashToken(token)
	p, ok := (*c.byHash.Load())[hash]
	if !ok {
		now := time.Now().UnixNano()
		if last := c.lastMiss.Load(); now-last >= int64(missReloadEvery) && c.lastMiss.CompareAndSwap(last, now) {
			ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
			if err := c.load(ctx); err != nil {
				c.log.Warn("reloading credentials failed", "err", err)
			}
			cancel()
			p, ok = (*c.byHash.Load())[hash]
		}
	}
	if !ok {
		return principal{}, errorf(http.StatusUnauthorized, api.ReasonUnauthorized,
			"the credential is unknown or revoked: ask the authority for a new one (passd %s add)", kindCommand(kind))
	}
	if p.kind != kind {
		return principal{}, errorf(http.StatusForbidden, api.ReasonForbidden,
			"a %s credential may not do this; it needs a %s credential", p.kind, kind)
	}
	return p, nil
}

func kindCommand(kind string) string {
	if kind == store.TokenOperator {
		return "operator"
	}
	return "kiosk"
}

// AddKiosk issues a kiosk credential and makes it valid on this server at
// once (other nodes take it at their next poll); it returns the token.
func (s *Server) AddKiosk(ctx context.Context, venueID, kioskID string) (string, error) {
	token, _, err := s.auth.AddKiosk(ctx, venueID, kioskID)
	if err != nil {
		return "", err
	}
	return token, s.kiosks.load(ctx)
}

// AddOperator issues an operator credential (enrollment) and makes it
// valid on this server at once; it returns the token.
func (s *Server) AddOperator(ctx context.Context, name string) (string, error) {
	token, _, err := s.auth.AddOperator(ctx, name)
	if err != nil {
		return "", err
	}
	return token, s.kiosks.load(ctx)
}

// RevokeCredential revokes a kiosk or operator credential by its ID and
// refuses it on this server at once.
func (s *Server) RevokeCredential(ctx context.Context, id string) error {
	if _, err := s.auth.RevokeToken(ctx, id); err != nil {
		return err
	}
	return s.kiosks.load(ctx)
}

// ReloadCredentials reads the credentials again now instead of at the
// next poll.
func (s *Server) ReloadCredentials(ctx context.Context) error { return s.kiosks.load(ctx) }

// writeStoreError answers an error of a write: 503 with Retry-After when
// the database could not be reached (nothing was written; the kiosk tries
// again), as writeError otherwise.
func (s *Server) writeStoreError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		s.log.Warn("write refused: the database is unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
		err = errorf(http.StatusServiceUnavailable, api.ReasonUnavailable,
			"the register cannot store this now; nothing was stored, try again shortly")
	}
	s.writeError(w, r, err)
}
