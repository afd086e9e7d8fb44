package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"time"

	"passdesk/pass"
)

// lists holds the verified trust and revocation lists and the ETags they
// were fetched with.
type lists struct {
	mu     sync.RWMutex
	tl     *pass.TrustList
	rl     *pass.RevocationList
	tlETag string
	rlETag string
}

func (l *lists) held() (*pass.TrustList, *pass.RevocationList) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.tl, l.rl
}

// reset forgets the lists held, to check them again against new roots.
func (l *lists) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tl, l.rl, l.tlETag, l.rlETag = nil, nil, "", ""
}

func (l *lists) etag(kind ListKind) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if kind == TrustListKind {
		return l.tlETag
	}
	return l.rlETag
}

// loadLists opens the lists kept on disk. A list on disk that no longer
// verifies (a root changed, the file was altered) is reported and ignored.
func (e *Engine) loadLists(roots []ed25519.PublicKey) {
	if e.d.Lists == nil {
		return
	}
	for _, kind := range []ListKind{TrustListKind, RevocationsKind} {
		d, err := e.d.Lists.Load(kind)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			e.notice(NoticeListUnreadable, fmt.Sprintf("%s: %v", kind, err))
			continue
		}
		if err := e.accept(kind, d, roots, false); err != nil {
			e.notice(NoticeListStoredRefused, fmt.Sprintf("%s: %v", kind, err))
		}
	}
}

// accept verifies a signed list against the pinned roots and the list
// held (rollback), and takes it; save keeps it on disk too.
func (e *Engine) accept(kind ListKind, d ListDoc, roots []ed25519.PublicKey, save bool) error {
	if len(roots) == 0 {
		return errors.New("no root key is pinned")
	}
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	switch kind {
	case TrustListKind:
		tl, err := pass.OpenTrustList(d.Doc, roots, e.lists.tl)
		if err != nil {
			return err
		}
		e.lists.tl, e.lists.tlETag = tl, d.ETag
		e.trust(time.Unix(tl.IssuedAt, 0))
	case RevocationsKind:
		rl, err := pass.OpenRevocationList(d.Doc, roots, e.lists.rl)
		if err != nil {
			return err
		}
		e.lists.rl, e.lists.rlETag = rl, d.ETag
		e.trust(time.Unix(rl.IssuedAt, 0))
	default:
		return fmt.Errorf("unknown list %q", kind)
	}
	if save && e.d.Lists != nil {
		if err := e.d.Lists.Save(kind, d); err != nil {
			e.notice(NoticeListNotKept, fmt.Sprintf("%s: %v", kind, err))
		}
	}
	return nil
}

// syncLists fetches both lists (ETag: an unchanged list costs a 304) and
// takes the new ones that verify. A forged or rolled-back list is refused
// and reported; the last good one stays.
func (e *Engine) syncLists(ctx context.Context) {
	s := e.set.Load()
	for _, kind := range []ListKind{TrustListKind, RevocationsKind} {
		var d ListDoc
		err := e.call(func() error {
			fctx, cancel := context.WithTimeout(ctx, e.t.UploadTimeout)
			defer cancel()
			var err error
			d, err = e.d.Service.FetchList(fctx, kind, e.lists.etag(kind))
			return err
		})
		if err != nil {
			if _, down := unavailable(err); !down && ctx.Err() == nil {
				e.notice(NoticeListFetchFailed, fmt.Sprintf("%s: %v", kind, err))
			}
			continue
		}
		if d.NotModified {
			continue
		}
		if err := e.accept(kind, d, s.roots, true); err != nil {
			msg := fmt.Sprintf("%s: %v", kind, err)
			e.notice(NoticeListRefused, msg)
			e.event(EventListRefused, fmt.Sprintf("a new %s from the service was refused (%v); the last good one stays in use", kindName(kind), err), 0)
			continue
		}
		e.event(EventListUpdated, string(kind), 0)
	}
	e.checkClock()
}

func kindName(k ListKind) string {
	if k == TrustListKind {
		return "trust list"
	}
	return "revocation list"
}

// syncLoop refreshes the lists at start, every Timing.SyncEvery, and as
// soon as an outage ends.
func (e *Engine) syncLoop(ctx context.Context) {
	for {
		ch := e.br.watch()
		if e.br.allow() {
			e.syncLists(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-ch:
		case <-e.syncWake:
		case <-time.After(jitter(e.t.SyncEvery, 0.1)):
		}
	}
}
