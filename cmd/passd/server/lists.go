package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

// signedList is one signed list document as served.
type signedList struct {
	doc    []byte
	etag   string
	seq    uint64
	signed time.Time
}

func newSignedList(doc []byte, seq uint64, at time.Time) signedList {
	sum := sha256.Sum256(doc)
	return signedList{doc: doc, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, seq: seq, signed: at}
}

// lists is what the verify path reads: replaced whole, never changed, so
// a request reads one consistent version without a lock.
type lists struct {
	trust   signedList
	tl      *pass.TrustList
	revs    signedList
	revoked map[[16]byte]struct{} // the live revocation set
}

// resignAfter is when a list is signed again although nothing changed, so
// that a kiosk never holds a stale one while the service is up.
const resignAfter = authority.ListLifetime / 2

// refresh brings the in-memory lists up to date with the database: a list
// whose sequence changed (a revocation or a rotation, by this process or
// another) is signed again, and so is one past resignAfter, with its
// sequence bumped so kiosks see it as newer.
func (s *Server) refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	now := s.now()
	st := s.auth.Store()
	tlSeq, rlSeq, err := st.Seqs(ctx)
	if err != nil {
		return fmt.Errorf("read list sequences: %w", err)
	}
	cur := s.lists.Load()
	next := &lists{}
	if cur != nil {
		*next = *cur
	}
	changed := false
	if cur != nil && tlSeq == cur.trust.seq && now.Sub(cur.trust.signed) >= resignAfter {
		if _, err := st.BumpTrustListSeq(ctx); err != nil {
			return err
		}
		tlSeq = 0 // sign again below
	}
	if cur == nil || tlSeq != cur.trust.seq {
		doc, tl, err := s.auth.SignedTrustList(ctx, now)
		if err != nil {
			return err
		}
		next.trust, next.tl = newSignedList(doc, tl.Seq, now), tl
		changed = true
		s.log.Info("trust list signed", "seq", tl.Seq, "keys", len(tl.Keys), "exp", time.Unix(tl.Expires, 0).UTC())
	}
	if cur != nil && rlSeq == cur.revs.seq && now.Sub(cur.revs.signed) >= resignAfter {
		if _, err := st.BumpRevocationSeq(ctx); err != nil {
			return err
		}
		rlSeq = 0
	}
	if cur == nil || rlSeq != cur.revs.seq {
		doc, rl, err := s.auth.SignedRevocationList(ctx, now)
		if err != nil {
			return err
		}
		set := make(map[[16]byte]struct{}, len(rl.CIDs))
		for _, c := range rl.CIDs {
			set[c] = struct{}{}
		}
		next.revs, next.revoked = newSignedList(doc, rl.Seq, now), set
		changed = true
		s.log.Info("revocation list signed", "seq", rl.Seq, "cids", len(rl.CIDs), "exp", time.Unix(rl.Expires, 0).UTC())
	}
	if changed {
		s.lists.Store(next)
	}
	return nil
}

// poll keeps the lists and the kiosk allow-list in step with the data
// directory until ctx ends.
func (s *Server) poll(ctx context.Context) {
	defer close(s.pollDone)
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("refreshing the lists failed; the previous ones stay in use", "err", err)
		}
		if err := s.kiosks.reload(); err != nil {
			s.log.Error("reading the kiosk allow-list failed; the previous one stays in use", "err", err)
		}
	}
}

func (s *Server) handleTrustList(w http.ResponseWriter, r *http.Request) {
	serveList(w, r, s.lists.Load().trust)
}

func (s *Server) handleRevocations(w http.ResponseWriter, r *http.Request) {
	serveList(w, r, s.lists.Load().revs)
}

// serveList answers a signed list, or 304 when If-None-Match names it.
func serveList(w http.ResponseWriter, r *http.Request, l signedList) {
	h := w.Header()
	h.Set("ETag", l.etag)
	h.Set("Cache-Control", "no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), l.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", api.ContentTypeCOSE)
	h.Set("Content-Length", strconv.Itoa(len(l.doc)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(l.doc)
	}
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
