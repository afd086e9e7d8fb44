package apptest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"passdesk/app"
)

// Ledger is an in-memory app.Ledger. Several engines may share one, as a
// kiosk restarted on the same ledger file would.
type Ledger struct {
	mu      sync.Mutex
	entries []app.Entry
	outages []app.Outage
	// Fail, when set, is returned by Record.
	Fail error
	// CloseDelay, when set, is how long CloseOutage takes (a slow disk).
	CloseDelay time.Duration
	purged     int
	// Full, when set, makes the ledger a full disk: Record fails with it
	// and counts what it refused until Resume is called with Full unset.
	Full       error
	unrecorded app.Unrecorded
	resumes    int
}

var _ app.Ledger = (*Ledger)(nil)

// Record keeps e.
func (l *Ledger) Record(_ context.Context, e app.Entry) (app.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Fail != nil {
		return app.Entry{}, l.Fail
	}
	if l.Full != nil {
		if l.unrecorded.Since.IsZero() {
			l.unrecorded.Since = e.Time
		}
		l.unrecorded.Entries++
		l.unrecorded.Writes++
		return app.Entry{}, l.Full
	}
	if e.ID == "" {
		return app.Entry{}, errors.New("entry without ID")
	}
	e.Seq = int64(len(l.entries) + 1)
	l.entries = append(l.entries, e)
	return e, nil
}

// OpenOutage starts an outage.
func (l *Ledger) OpenOutage(_ context.Context, start time.Time, cause string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := int64(len(l.outages) + 1)
	l.outages = append(l.outages, app.Outage{ID: id, Start: start, Cause: cause})
	return id, nil
}

// EndStoppedOutages ends the open outages, marked Stopped: at at when
// given, else at the last entry recorded during each (its start when
// none).
func (l *Ledger) EndStoppedOutages(_ context.Context, at time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for i, o := range l.outages {
		if !o.End.IsZero() {
			continue
		}
		end := o.Start
		if at.After(end) {
			end = at
		}
		for _, e := range l.entries {
			if e.OutageID == o.ID && e.Time.After(end) {
				end = e.Time
			}
		}
		l.outages[i].End, l.outages[i].Stopped = end, true
		n++
	}
	return n, nil
}

// CloseOutage ends an outage.
func (l *Ledger) CloseOutage(_ context.Context, id int64, end time.Time) error {
	l.mu.Lock()
	d := l.CloseDelay
	l.mu.Unlock()
	time.Sleep(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if id < 1 || int(id) > len(l.outages) {
		return app.ErrNotFound
	}
	l.outages[id-1].End = end
	return nil
}

// PendingUploads returns the entries not uploaded, oldest first.
func (l *Ledger) PendingUploads(_ context.Context, limit int) ([]app.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []app.Entry
	for _, e := range l.entries {
		if !e.Uploaded && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// MarkUploaded marks entries uploaded.
func (l *Ledger) MarkUploaded(_ context.Context, ids []string, _ time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	for i := range l.entries {
		if set[l.entries[i].ID] {
			l.entries[i].Uploaded = true
		}
	}
	return nil
}

// Purge counts its calls; the fake keeps every row.
func (l *Ledger) Purge(context.Context, time.Time) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.purged++
	return 0, nil
}

// Purges is how many times Purge was called.
func (l *Ledger) Purges() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.purged
}

// Newest is the time of the newest entry.
func (l *Ledger) Newest(context.Context) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var t time.Time
	for _, e := range l.entries {
		if e.Time.After(t) {
			t = e.Time
		}
	}
	return t, nil
}

// RecentAdmissions returns the scans admitted since, oldest first, but
// those a later entry corrects.
func (l *Ledger) RecentAdmissions(_ context.Context, since time.Time) ([]app.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	corrected := map[string]bool{}
	for _, e := range l.entries {
		if e.Corrects != "" {
			corrected[e.Corrects] = true
		}
	}
	var out []app.Entry
	for _, e := range l.entries {
		if e.Outcome == app.Admit && e.Method != app.Manual && !e.Time.Before(since) && !corrected[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// SetFull makes the disk full (err non-nil) or frees it.
func (l *Ledger) SetFull(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Full = err
}

// Unrecorded is the period of refused writes.
func (l *Ledger) Unrecorded() app.Unrecorded {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unrecorded
}

// Resume ends the period once the disk is no longer full.
func (l *Ledger) Resume(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Full != nil {
		return l.Full
	}
	if !l.unrecorded.Since.IsZero() {
		l.resumes++
	}
	l.unrecorded = app.Unrecorded{}
	return nil
}

// Resumes is how many periods without records Resume ended.
func (l *Ledger) Resumes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.resumes
}

// Notices are none.
func (l *Ledger) Notices() []string { return nil }

// Entries returns a copy of every entry.
func (l *Ledger) Entries() []app.Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]app.Entry(nil), l.entries...)
}

// Outages returns a copy of every outage.
func (l *Ledger) Outages() []app.Outage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]app.Outage(nil), l.outages...)
}

// Lists is an in-memory app.ListStore.
type Lists struct {
	mu   sync.Mutex
	docs map[app.ListKind]app.ListDoc
}

var _ app.ListStore = (*Lists)(nil)

// Load returns the stored list.
func (s *Lists) Load(kind app.ListKind) (app.ListDoc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[kind]
	if !ok {
		return app.ListDoc{}, app.ErrNotFound
	}
	return d, nil
}

// Save stores a list.
func (s *Lists) Save(kind app.ListKind, d app.ListDoc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		s.docs = make(map[app.ListKind]app.ListDoc)
	}
	s.docs[kind] = d
	return nil
}

// Service is a fake app.Service whose answers the test sets. Its
// register keeps uploaded entries by ID, as the real one does.
type Service struct {
	mu       sync.Mutex
	verify   func(ctx context.Context, c app.Check) (app.OnlineVerdict, error)
	down     error
	lists    map[app.ListKind][]byte
	register map[string]int // entry ID -> times received
	calls    map[string]int
	clock    time.Time
	local    time.Time
}

var _ app.Service = (*Service)(nil)

// NewService makes a healthy service that admits every pass and serves
// the world's lists.
func NewService(w *World) *Service {
	return &Service{
		verify: func(context.Context, app.Check) (app.OnlineVerdict, error) {
			return app.OnlineVerdict{Admit: true, Reason: "ok"}, nil
		},
		lists:    map[app.ListKind][]byte{app.TrustListKind: w.TrustList, app.RevocationsKind: w.Revocation},
		register: make(map[string]int),
		calls:    make(map[string]int),
	}
}

// SetVerify replaces the verify answer.
func (s *Service) SetVerify(f func(ctx context.Context, c app.Check) (app.OnlineVerdict, error)) {
	s.mu.Lock()
	s.verify = f
	s.mu.Unlock()
}

// SetDown makes every call fail with err (nil: healthy again).
func (s *Service) SetDown(err error) {
	s.mu.Lock()
	s.down = err
	s.mu.Unlock()
}

// SetList replaces a list the service serves.
func (s *Service) SetList(kind app.ListKind, doc []byte) {
	s.mu.Lock()
	s.lists[kind] = doc
	s.mu.Unlock()
}

// SetClock makes the service report its clock as svc when the kiosk's
// is local.
func (s *Service) SetClock(svc, local time.Time) {
	s.mu.Lock()
	s.clock, s.local = svc, local
	s.mu.Unlock()
}

// Calls returns how many calls of a kind ("verify", "upload", "list",
// "health") the service saw.
func (s *Service) Calls(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[kind]
}

// Register returns how many times each entry ID was uploaded.
func (s *Service) Register() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.register))
	for k, v := range s.register {
		out[k] = v
	}
	return out
}

func (s *Service) begin(kind string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[kind]++
	return s.down
}

// Verify answers with the test's function.
func (s *Service) Verify(ctx context.Context, c app.Check) (app.OnlineVerdict, error) {
	if err := s.begin("verify"); err != nil {
		return app.OnlineVerdict{}, err
	}
	s.mu.Lock()
	f := s.verify
	s.mu.Unlock()
	return f(ctx, c)
}

// Upload keeps the entries in the register.
func (s *Service) Upload(_ context.Context, _, _ string, entries []app.Entry) error {
	if err := s.begin("upload"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		s.register[e.ID]++
	}
	return nil
}

// FetchList serves a list, with a hash of the document as its ETag.
func (s *Service) FetchList(_ context.Context, kind app.ListKind, etag string) (app.ListDoc, error) {
	if err := s.begin("list"); err != nil {
		return app.ListDoc{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	doc := s.lists[kind]
	tag := etagOf(doc)
	if tag == etag {
		return app.ListDoc{ETag: tag, NotModified: true}, nil
	}
	return app.ListDoc{Doc: doc, ETag: tag}, nil
}

func etagOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// Health answers the probe.
func (s *Service) Health(context.Context) error { return s.begin("health") }

// Clock returns the clock set by SetClock.
func (s *Service) Clock() (svc, local time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock, s.local, !s.clock.IsZero()
}
