package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/apptest"
)

// pins is a small app.People: PINs in a map, failures kept.
type pins struct {
	mu     sync.Mutex
	byPIN  map[string]app.Person
	kept   map[app.Prompt]app.PINFailures
	audits []string
}

func newPins() *pins {
	return &pins{byPIN: map[string]app.Person{
		"1111":   {ID: 1, Name: "Kim", Role: app.Staff, Active: true},
		"482916": {ID: 2, Name: "Park", Role: app.Manager, Active: true},
	}, kept: map[app.Prompt]app.PINFailures{}}
}

func (p *pins) SignIn(_ context.Context, pin string) (app.Person, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if who, ok := p.byPIN[pin]; ok {
		return who, nil
	}
	return app.Person{}, app.ErrBadPIN
}
func (p *pins) SavePINFailures(_ context.Context, at app.Prompt, f app.PINFailures) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kept[at] = f
	return nil
}
func (p *pins) LoadPINFailures(context.Context) (map[app.Prompt]app.PINFailures, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[app.Prompt]app.PINFailures{}
	for k, v := range p.kept {
		out[k] = v
	}
	return out, nil
}
func (p *pins) AddPerson(context.Context, string, app.Role, string) (app.Person, error) {
	return app.Person{}, app.ErrNotAllowed
}
func (p *pins) SetPIN(context.Context, int64, string) error      { return app.ErrNotAllowed }
func (p *pins) Deactivate(context.Context, int64) error          { return app.ErrNotAllowed }
func (p *pins) ListPeople(context.Context) ([]app.Person, error) { return nil, nil }
func (p *pins) Audit(_ context.Context, actor, action, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.audits = append(p.audits, action)
	return nil
}

func TestPINPrompts(t *testing.T) {
	ctx := context.Background()
	t.Run("a visitor's taps at the manager prompt never block manual entry", func(t *testing.T) {
		c := apptest.NewClock(epoch)
		o := app.NewOffice(newPins(), nil, nil, c.Now)
		for range 10 {
			o.SignIn(ctx, app.PromptManager, "0000")
			c.Add(time.Second)
		}
		if _, err := o.SignIn(ctx, app.PromptManager, "482916"); !errors.Is(err, app.ErrLockedOut) {
			t.Errorf("manager prompt after 10 wrong PINs: %v, want locked out", err)
		}
		if who, err := o.SignIn(ctx, app.PromptManual, "1111"); err != nil || who.Name != "Kim" {
			t.Errorf("manual entry prompt: %+v, %v", who, err)
		}
	})
	t.Run("a few free tries, then a growing wait, shown", func(t *testing.T) {
		c := apptest.NewClock(epoch)
		o := app.NewOffice(newPins(), nil, nil, c.Now)
		var waits []time.Duration
		for range 6 {
			_, err := o.SignIn(ctx, app.PromptManager, "0000")
			var l *app.LockedOut
			if errors.As(err, &l) {
				waits = append(waits, l.Wait)
				c.Add(l.Wait)
			} else if !errors.Is(err, app.ErrBadPIN) {
				t.Fatalf("err %v", err)
			}
		}
		want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
		if fmt.Sprint(waits) != fmt.Sprint(want) {
			t.Errorf("waits %v, want %v", waits, want)
		}
		if got := o.PINWait(app.PromptManager); got != 0 {
			t.Errorf("after waiting: %v left", got)
		}
	})
	t.Run("a success at one role clears nothing at the other", func(t *testing.T) {
		c := apptest.NewClock(epoch)
		o := app.NewOffice(newPins(), nil, nil, c.Now)
		for range 3 {
			o.SignIn(ctx, app.PromptManager, "0000")
		}
		// A staff member's own PIN, at the manager prompt, is a failure
		// there too.
		if _, err := o.SignIn(ctx, app.PromptManager, "1111"); !errors.Is(err, app.ErrLockedOut) {
			t.Errorf("staff PIN at the manager prompt: %v", err)
		}
		if _, err := o.SignIn(ctx, app.PromptManual, "1111"); err != nil {
			t.Fatal(err)
		}
		if o.PINWait(app.PromptManager) == 0 {
			t.Error("a staff sign-in cleared the manager prompt's wait")
		}
	})
	t.Run("counts survive a restart", func(t *testing.T) {
		c := apptest.NewClock(epoch)
		p := newPins()
		o := app.NewOffice(p, nil, nil, c.Now)
		for range 5 {
			o.SignIn(ctx, app.PromptManager, "0000")
		}
		o2 := app.NewOffice(p, nil, nil, c.Now)
		if _, err := o2.SignIn(ctx, app.PromptManager, "482916"); !errors.Is(err, app.ErrLockedOut) {
			t.Errorf("after a restart: %v, want locked out", err)
		}
	})
}

// TestPINGuessingTakesMonths is the attack arithmetic: a guesser at the
// manager keypad, trying as soon as the keypad allows and, between tries,
// signing in with a staff PIN of their own at both prompts (which must
// forgive nothing), in 30 days gets through fewer than the 5,000 guesses
// that find a four-digit PIN half of the time.
func TestPINGuessingTakesMonths(t *testing.T) {
	ctx := context.Background()
	for _, strategy := range []struct {
		name  string
		pause time.Duration // extra wait after each try, to let failures be forgiven
	}{
		{"as fast as allowed", 0},
		{"one try every 10 minutes", 10 * time.Minute},
		{"three tries, then two hours off", -1},
	} {
		t.Run(strategy.name, func(t *testing.T) {
			c := apptest.NewClock(epoch)
			o := app.NewOffice(newPins(), nil, nil, c.Now)
			end := epoch.Add(30 * 24 * time.Hour)
			guesses := 0
			for c.Now().Before(end) {
				if w := o.PINWait(app.PromptManager); w > 0 {
					c.Add(w)
					continue
				}
				o.SignIn(ctx, app.PromptManager, fmt.Sprintf("%04d", guesses%10000))
				o.SignIn(ctx, app.PromptManual, "1111")
				guesses++
				switch {
				case strategy.pause > 0:
					c.Add(strategy.pause)
				case strategy.pause < 0 && guesses%3 == 0:
					c.Add(2 * time.Hour)
				}
			}
			t.Logf("%d guesses in 30 days", guesses)
			if guesses >= 5000 {
				t.Errorf("%d guesses in 30 days: a four-digit manager PIN falls within a month", guesses)
			}
		})
	}
}
