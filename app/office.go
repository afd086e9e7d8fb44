package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// CommandLine is the actor of `passdesk ledger` commands: whoever may run
// them on the kiosk PC has the manager's rights, and the audit says so.
var CommandLine = Person{Name: "command line", Role: Manager, Active: true}

// PIN lengths. Manager PINs are longer: see pinguard.go for the attack
// arithmetic that sets them.
const (
	MinPIN        = 4
	MinManagerPIN = 4
	MaxPIN        = 12
)

// Errors of the office rules.
var (
	ErrPINFormat   = fmt.Errorf("a PIN has %d to %d digits", MinPIN, MaxPIN)
	ErrNeedsPerson = errors.New("a person needs a name and a role (staff or manager)")
	ErrSetupDone   = errors.New("PassDesk already has people: sign in as a manager")
	// ErrPINInUse: a new PIN equals an active person's, so it could not
	// say who signs in.
	ErrPINInUse = errors.New("that PIN is already in use")
)

// ValidatePIN is the PIN rule, the one place it is written: digits only,
// MinPIN to MaxPIN of them.
func ValidatePIN(pin string) error {
	if len(pin) < MinPIN || len(pin) > MaxPIN {
		return ErrPINFormat
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return ErrPINFormat
		}
	}
	return nil
}

// Office holds the rules of who may do what with the people and the
// records, and audits every action. The engine embeds one; `passdesk
// ledger` makes one over the ledger alone.
type Office struct {
	people  People
	records Records
	purge   func(ctx context.Context, now time.Time) (int, error)
	now     func() time.Time
	notice  func(Notice)
	guard   *pinGuard
	loaded  sync.Once
}

// NewOffice makes the office over the adapters; purge may be nil (no
// purge), now nil means time.Now, notice nil drops audit failures (the
// caller then sees them as errors).
func NewOffice(p People, r Records, purge func(context.Context, time.Time) (int, error), now func() time.Time) *Office {
	if now == nil {
		now = time.Now
	}
	return &Office{people: p, records: r, purge: purge, now: now, notice: func(Notice) {}, guard: newPINGuard()}
}

func isManager(p Person) bool { return p.Active && p.Role == Manager }

func (o *Office) audit(ctx context.Context, by Person, action, detail string) error {
	if o.people == nil {
		return nil
	}
	err := o.people.Audit(context.WithoutCancel(ctx), by.Name, action, detail)
	if err != nil {
		o.notice(Notice{Code: NoticeNotAudited, Detail: action + ": " + err.Error()})
	}
	return err
}

// SignIn checks a PIN at a prompt. Each prompt counts its own failures and
// makes the next try wait longer (pinguard.go); a person signing in at the
// manager prompt must be a manager. Every attempt is audited.
func (o *Office) SignIn(ctx context.Context, at Prompt, pin string) (Person, error) {
	if o.people == nil {
		return Person{}, ErrNotAllowed
	}
	o.loaded.Do(func() {
		if m, err := o.people.LoadPINFailures(ctx); err == nil {
			o.guard.load(m)
		}
	})
	now := o.now()
	if wait := o.guard.wait(at, now); wait > 0 {
		return Person{}, &LockedOut{Prompt: at, Wait: wait}
	}
	p, err := o.people.SignIn(ctx, pin)
	if err == nil && at == PromptManager && p.Role != Manager {
		err = ErrNotAllowed
	}
	if err != nil {
		if errors.Is(err, ErrBadPIN) || errors.Is(err, ErrNotAllowed) {
			if err := o.people.SavePINFailures(ctx, at, o.guard.fail(at, now)); err != nil {
				o.notice(Notice{Code: NoticeNotAudited, Detail: "PIN failures: " + err.Error()})
			}
			o.audit(ctx, Person{}, "sign_in_failed", string(at))
			if wait := o.guard.wait(at, now); wait > 0 {
				return Person{}, &LockedOut{Prompt: at, Wait: wait}
			}
			return Person{}, err
		}
		return Person{}, err
	}
	o.audit(ctx, p, "sign_in", string(at)+" "+string(p.Role))
	return p, nil
}

// PINWait is how long the prompt refuses tries, for the keypad's countdown.
func (o *Office) PINWait(at Prompt) time.Duration { return o.guard.wait(at, o.now()) }

// NeedsSetup reports whether nobody can sign in yet: the first start.
func (o *Office) NeedsSetup(ctx context.Context) (bool, error) {
	if o.people == nil {
		return false, nil
	}
	ps, err := o.people.ListPeople(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Active && p.Role == Manager {
			return false, nil
		}
	}
	return true, nil
}

// SetUp adds the first manager, only while there is none.
func (o *Office) SetUp(ctx context.Context, name, pin string) (Person, error) {
	need, err := o.NeedsSetup(ctx)
	if err != nil {
		return Person{}, err
	}
	if !need {
		return Person{}, ErrSetupDone
	}
	p, err := o.addPerson(ctx, name, Manager, pin)
	if err != nil {
		return Person{}, err
	}
	o.audit(ctx, p, "add_person", fmt.Sprintf("first manager %s (id %d)", p.Name, p.ID))
	return p, nil
}

// AddPerson adds a staff member or manager (managers only).
func (o *Office) AddPerson(ctx context.Context, by Person, name string, role Role, pin string) (Person, error) {
	if !isManager(by) {
		return Person{}, ErrNotAllowed
	}
	p, err := o.addPerson(ctx, name, role, pin)
	if err != nil {
		return Person{}, err
	}
	err = o.audit(ctx, by, "add_person", fmt.Sprintf("%s (%s, id %d)", p.Name, p.Role, p.ID))
	return p, err
}

func (o *Office) addPerson(ctx context.Context, name string, role Role, pin string) (Person, error) {
	name = strings.TrimSpace(name)
	if name == "" || (role != Staff && role != Manager) {
		return Person{}, ErrNeedsPerson
	}
	if err := validatePINFor(role, pin); err != nil {
		return Person{}, err
	}
	return o.people.AddPerson(ctx, name, role, pin)
}

func validatePINFor(role Role, pin string) error {
	if err := ValidatePIN(pin); err != nil {
		return err
	}
	if role == Manager && len(pin) < MinManagerPIN {
		return fmt.Errorf("a manager's PIN has %d to %d digits", MinManagerPIN, MaxPIN)
	}
	return nil
}

// SetPIN changes a person's PIN (managers only).
func (o *Office) SetPIN(ctx context.Context, by Person, who Person, pin string) error {
	if !isManager(by) {
		return ErrNotAllowed
	}
	if err := validatePINFor(who.Role, pin); err != nil {
		return err
	}
	if err := o.people.SetPIN(ctx, who.ID, pin); err != nil {
		return err
	}
	return o.audit(ctx, by, "set_pin", fmt.Sprintf("%s (id %d)", who.Name, who.ID))
}

// Deactivate removes a person's access (managers only; not oneself, so
// the kiosk always keeps a manager who can sign in).
func (o *Office) Deactivate(ctx context.Context, by Person, who Person) error {
	if !isManager(by) || by.ID == who.ID {
		return ErrNotAllowed
	}
	if err := o.people.Deactivate(ctx, who.ID); err != nil {
		return err
	}
	return o.audit(ctx, by, "deactivate", fmt.Sprintf("%s (id %d)", who.Name, who.ID))
}

// ListPeople lists everyone (managers only).
func (o *Office) ListPeople(ctx context.Context, by Person) ([]Person, error) {
	if !isManager(by) {
		return nil, ErrNotAllowed
	}
	return o.people.ListPeople(ctx)
}

// Summary is a day's review (managers only).
func (o *Office) Summary(ctx context.Context, by Person, day time.Time) (DaySummary, error) {
	if !isManager(by) || o.records == nil {
		return DaySummary{}, ErrNotAllowed
	}
	return o.records.Summary(ctx, day)
}

// List selects a day's entries (managers only).
func (o *Office) List(ctx context.Context, by Person, f Filter) ([]Entry, int, error) {
	if !isManager(by) || o.records == nil {
		return nil, 0, ErrNotAllowed
	}
	return o.records.List(ctx, f)
}

// Export writes a day as "csv" or "pdf" to w (managers only); where says
// where it went, for the audit.
func (o *Office) Export(ctx context.Context, by Person, day time.Time, format, where string, w io.Writer) error {
	if !isManager(by) || o.records == nil {
		return ErrNotAllowed
	}
	if err := o.records.Export(ctx, day, format, w); err != nil {
		return err
	}
	detail := day.Format(time.DateOnly) + " " + format
	if where != "" {
		detail += " to " + where
	}
	return o.audit(ctx, by, "export", detail)
}

// RevealPhone shows a manual entry's phone number whole (managers only).
func (o *Office) RevealPhone(ctx context.Context, by Person, entryID string) (string, error) {
	if !isManager(by) || o.records == nil {
		return "", ErrNotAllowed
	}
	p, err := o.records.RevealPhone(ctx, entryID)
	if err != nil {
		return "", err
	}
	if err := o.audit(ctx, by, "reveal_phone", entryID); err != nil {
		return "", err
	}
	return p, nil
}

// Purge removes rows past the retention as of now (managers only).
func (o *Office) Purge(ctx context.Context, by Person, now time.Time) (int, error) {
	if !isManager(by) || o.purge == nil {
		return 0, ErrNotAllowed
	}
	n, err := o.purge(ctx, now)
	if err != nil {
		return n, err
	}
	return n, o.audit(ctx, by, "purge", fmt.Sprintf("%d rows before %s", n, now.Format(time.RFC3339)))
}
