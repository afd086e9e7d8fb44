package server

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/cmd/passd/store"
)

// replaySet is the one-time-use set: every admitted presentation (cid and
// iat) with the kiosk that admitted it, remembered until it could no
// longer be admitted anyway (iat + window + skew). The same presentation
// from another kiosk is then denied as replayed; from the same kiosk it is
// the kiosk's own duplicate and is answered as before.
//
// It is held in memory; with a shared store (PostgreSQL) each claim is also
// made there, so that two nodes admit one presentation once. When the
// shared store does not answer, the node goes on with its own set for
// sharedRetry before it tries again: verifications keep being answered,
// and a replay across nodes is then caught only once the database is back.
type replaySet struct {
	shared store.Presentations // nil on one node
	log    *slog.Logger

	mu    sync.Mutex
	held  map[replayKey]store.Presentation
	order []replayKey // insertion order, for expiry, from head on
	head  int

	sharedDownUntil atomic.Int64 // Unix nanoseconds
	lastPurge       atomic.Int64 // Unix seconds

	// Claims waiting for a round trip to the shared set, and how many
	// round trips are under way: under load the waiting claims go
	// together, one statement for up to maxClaimBatch of them.
	batchMu  sync.Mutex
	pending  []*claimReq
	flushers int
}

type claimReq struct {
	p    store.Presentation
	now  int64
	done chan claimResult // buffered: a claim given up on never blocks the flusher
}

type claimResult struct {
	first store.Presentation
	err   error
}

// Batching of shared claims.
const (
	maxClaimFlushers = 4
	maxClaimBatch    = 128
)

type replayKey struct {
	cid [16]byte
	iat int64
}

// Timings of the shared set. A healthy claim takes a millisecond or two;
// one that takes 50 ms means the database is overloaded or away, and a
// verification waiting longer holds its admission slot for nothing: at
// three times saturation, goodput was 0.08-0.46 of saturated with a 300 ms
// wait and mostly about half with 50 ms (make bench-passd-pg). The node then
// checks replays alone for sharedRetry, which only weakens an added
// denial, never admits what the kiosk denies.
const (
	sharedClaimTimeout = 50 * time.Millisecond
	sharedRetry        = time.Second
	sharedPurgeEvery   = 10 // seconds
)

func newReplaySet(st store.Store, log *slog.Logger) *replaySet {
	r := &replaySet{log: log, held: map[replayKey]store.Presentation{}}
	if p, ok := st.(store.Presentations); ok {
		r.shared = p
	}
	return r
}

// claim records p, admitted now, and returns the first kiosk's claim on
// the same presentation (p itself when it is new).
func (r *replaySet) claim(ctx context.Context, p store.Presentation, now time.Time) store.Presentation {
	if r.shared == nil || now.UnixNano() < r.sharedDownUntil.Load() {
		return r.claimLocal(p, now.Unix())
	}
	ctx, cancel := context.WithTimeout(ctx, sharedClaimTimeout)
	defer cancel()
	first, err := r.claimShared(ctx, p, now.Unix())
	if err != nil {
		r.sharedDownUntil.Store(now.Add(sharedRetry).UnixNano())
		r.log.Warn("the shared one-time-use set did not answer; this node checks replays alone for a second", "err", err)
		return r.claimLocal(p, now.Unix())
	}
	// The shared set decides; the node's own set learns its answer, for
	// when the database is away.
	r.claimLocal(first, now.Unix())
	if sec := now.Unix(); sec-r.lastPurge.Load() >= sharedPurgeEvery {
		r.lastPurge.Store(sec)
		go r.purgeShared(sec)
	}
	return first
}

// claimShared queues p for the shared set and waits for its answer; a
// flusher goroutine is started when fewer than maxClaimFlushers run, and
// ends when nothing is waiting.
func (r *replaySet) claimShared(ctx context.Context, p store.Presentation, now int64) (store.Presentation, error) {
	req := &claimReq{p: p, now: now, done: make(chan claimResult, 1)}
	r.batchMu.Lock()
	r.pending = append(r.pending, req)
	start := r.flushers < maxClaimFlushers
	if start {
		r.flushers++
	}
	r.batchMu.Unlock()
	if start {
		go r.flush()
	}
	select {
	case res := <-req.done:
		return res.first, res.err
	case <-ctx.Done():
		return p, ctx.Err()
	}
}

func (r *replaySet) flush() {
	for {
		r.batchMu.Lock()
		n := min(len(r.pending), maxClaimBatch)
		if n == 0 {
			r.flushers--
			r.batchMu.Unlock()
			return
		}
		batch := append([]*claimReq(nil), r.pending[:n]...)
		r.pending = append(r.pending[:0], r.pending[n:]...)
		r.batchMu.Unlock()
		r.send(batch)
	}
}

// send makes one round trip for batch; claims of one presentation in the
// batch are sent once, and the later ones get the first's answer.
func (r *replaySet) send(batch []*claimReq) {
	ps := make([]store.Presentation, 0, len(batch))
	slot := make([]int, len(batch))
	seen := make(map[replayKey]int, len(batch))
	now := batch[0].now
	for i, req := range batch {
		k := replayKey{req.p.CID, req.p.IAT}
		j, ok := seen[k]
		if !ok {
			j = len(ps)
			seen[k] = j
			ps = append(ps, req.p)
		}
		slot[i] = j
		now = max(now, req.now)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedClaimTimeout)
	defer cancel()
	first, err := r.shared.ClaimPresentations(ctx, ps, now)
	for i, req := range batch {
		if err != nil {
			req.done <- claimResult{err: err}
		} else {
			req.done <- claimResult{first: first[slot[i]]}
		}
	}
}

func (r *replaySet) purgeShared(now int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.shared.PurgePresentations(ctx, now); err != nil {
		r.log.Warn("purging the shared one-time-use set failed", "err", err)
	}
}

func (r *replaySet) claimLocal(p store.Presentation, now int64) store.Presentation {
	k := replayKey{p.CID, p.IAT}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	if held, ok := r.held[k]; ok && held.Expires >= now {
		return held
	}
	r.held[k] = p
	r.order = append(r.order, k)
	return p
}

// expire forgets the claims at the front of the insertion order that have
// expired. A claim behind one that has not may stay a little longer; it is
// still bounded by window and skew.
func (r *replaySet) expire(now int64) {
	for ; r.head < len(r.order); r.head++ {
		k := r.order[r.head]
		if held, ok := r.held[k]; ok && held.Expires >= now {
			break
		}
		delete(r.held, k)
	}
	if r.head > 1024 && 2*r.head > len(r.order) {
		r.order = append(r.order[:0], r.order[r.head:]...)
		r.head = 0
	}
}
