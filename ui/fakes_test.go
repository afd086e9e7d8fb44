package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
)

// people is a fake app.People: PINs in a map, an audit trail in a slice.
type people struct {
	mu     sync.Mutex
	byPIN  map[string]app.Person
	nextID int64
	audit  []string
}

var _ app.People = (*people)(nil)

func newPeople() *people { return &people{byPIN: map[string]app.Person{}} }

func (p *people) SavePINFailures(context.Context, app.Prompt, app.PINFailures) error { return nil }

func (p *people) LoadPINFailures(context.Context) (map[app.Prompt]app.PINFailures, error) {
	return nil, nil
}

func (p *people) SignIn(_ context.Context, pin string) (app.Person, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	who, ok := p.byPIN[pin]
	if !ok || !who.Active {
		return app.Person{}, app.ErrBadPIN
	}
	return who, nil
}

func (p *people) AddPerson(_ context.Context, name string, role app.Role, pin string) (app.Person, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, taken := p.byPIN[pin]; taken {
		return app.Person{}, fmt.Errorf("%w: %w", app.ErrPINInUse, app.ErrNotAllowed) // as storage says it
	}
	p.nextID++
	who := app.Person{ID: p.nextID, Name: name, Role: role, Active: true}
	p.byPIN[pin] = who
	return who, nil
}

func (p *people) SetPIN(_ context.Context, id int64, pin string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for old, who := range p.byPIN {
		if who.ID == id {
			delete(p.byPIN, old)
			p.byPIN[pin] = who
			return nil
		}
	}
	return app.ErrNotFound
}

func (p *people) Deactivate(_ context.Context, id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pin, who := range p.byPIN {
		if who.ID == id {
			who.Active = false
			p.byPIN[pin] = who
			return nil
		}
	}
	return app.ErrNotFound
}

func (p *people) ListPeople(context.Context) ([]app.Person, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var list []app.Person
	for _, who := range p.byPIN {
		list = append(list, who)
	}
	return list, nil
}

func (p *people) Audit(_ context.Context, actor, action, detail string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.audit = append(p.audit, actor+" "+action+" "+detail)
	return nil
}

func (p *people) audited(action string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.audit {
		if strings.Contains(a, " "+action+" ") {
			return true
		}
	}
	return false
}

// records is a fake app.Records reading the fake ledger's entries.
type records struct {
	ledger *apptest.Ledger
}

var _ app.Records = records{}

func sameDay(a, b time.Time) bool {
	return a.Local().Format("2006-01-02") == b.Local().Format("2006-01-02")
}

func (r records) Summary(_ context.Context, day time.Time) (app.DaySummary, error) {
	s := app.DaySummary{Day: day.Format("2006-01-02"), ByOutcome: map[app.Outcome]int{}, ByMethod: map[app.Method]int{}, ByReason: map[string]int{}}
	for _, e := range r.ledger.Entries() {
		if !sameDay(e.Time, day) {
			continue
		}
		s.Total++
		s.ByOutcome[e.Outcome]++
		if e.Method != app.Manual && (e.Reason == "malformed" || e.Reason == "unsupported_format") {
			s.Unreadable++ // as storage counts them: no method, nothing was checked
		} else {
			s.ByMethod[e.Method]++
		}
		s.ByReason[e.Reason]++
		if e.Method == app.Manual {
			s.Manual++
		}
		if e.Outcome == app.Admit {
			s.Hourly[e.Time.Local().Hour()]++
		}
	}
	s.Outages = r.ledger.Outages()
	return s, nil
}

func (r records) List(_ context.Context, f app.Filter) ([]app.Entry, int, error) {
	var out []app.Entry
	for _, e := range r.ledger.Entries() {
		if !sameDay(e.Time, f.Day) || (f.Outcome != "" && e.Outcome != f.Outcome) || (f.Method != "" && e.Method != f.Method) {
			continue
		}
		if f.Query != "" && !strings.Contains(e.Name+e.VisitorName, f.Query) {
			continue
		}
		out = append([]app.Entry{e}, out...) // newest first, as storage lists them
	}
	total := len(out)
	out = out[min(f.Offset, total):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

func (r records) Export(_ context.Context, day time.Time, format string, w io.Writer) error {
	if format != "csv" && format != "pdf" {
		return fmt.Errorf("unknown format %q", format)
	}
	for _, e := range r.ledger.Entries() {
		if sameDay(e.Time, day) {
			fmt.Fprintf(w, "%s,%s,%s\n", e.Time.Format(time.RFC3339), e.Outcome, e.Name+e.VisitorName)
		}
	}
	return nil
}

func (r records) RevealPhone(_ context.Context, id string) (string, error) {
	for _, e := range r.ledger.Entries() {
		if e.ID == id {
			return e.Phone, nil
		}
	}
	return "", app.ErrNotFound
}

// timers is a fake Options.After: the test fires what is pending.
type timers struct {
	mu      sync.Mutex
	pending []*timer
}

type timer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ts *timers) after(d time.Duration, f func()) func() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := &timer{d: d, f: f}
	ts.pending = append(ts.pending, t)
	return func() {
		ts.mu.Lock()
		t.stopped = true
		ts.mu.Unlock()
	}
}

// fire runs every pending timer of duration d that was not stopped.
func (ts *timers) fire(d time.Duration) int {
	ts.mu.Lock()
	var due []*timer
	kept := ts.pending[:0]
	for _, t := range ts.pending {
		if t.d == d && !t.stopped {
			due = append(due, t)
		} else if !t.stopped {
			kept = append(kept, t)
		}
	}
	ts.pending = kept
	ts.mu.Unlock()
	for _, t := range due {
		t.f()
	}
	return len(due)
}
