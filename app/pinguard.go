package app

import (
	"fmt"
	"sync"
	"time"
)

// Prompt is where a PIN is typed. Each prompt counts its failures apart,
// so a visitor tapping at the manager's keypad never keeps staff from
// recording a manual entry.
type Prompt string

// The PIN prompts.
const (
	PromptManual  Prompt = "manual"  // staff or manager, to record a manual entry
	PromptManager Prompt = "manager" // managers only: review, settings, people, leaving kiosk mode
)

// The PIN delay: freeTries wrong PINs cost nothing, then each one makes
// the next try wait firstDelay, doubling up to maxDelay. A failure is
// forgiven for every forgiveAfter without one. A success forgives
// nothing: otherwise a staff member alternating guesses at the manager's
// PIN with their own would never slow down.
//
// The arithmetic (TestPINGuessingTakesMonths): the count grows by one per
// guess and shrinks by one per forgiveAfter, so past the free tries a
// guesser gets at most one try per 15 minutes in the long run, 96 a day.
// The 10,000 four-digit PINs then take 104 days, half of them 52: a
// four-digit manager PIN holds for more than 30 days at the keypad.
const (
	freeTries    = 3
	firstDelay   = 30 * time.Second
	maxDelay     = 15 * time.Minute
	forgiveAfter = 15 * time.Minute
)

// LockedOut says a prompt refuses tries for a while after wrong PINs.
type LockedOut struct {
	Prompt Prompt
	Wait   time.Duration
}

func (l *LockedOut) Error() string {
	return fmt.Sprintf("too many wrong PINs: try again in %v", l.Wait.Round(time.Second))
}

// Is makes errors.Is(err, ErrLockedOut) true.
func (l *LockedOut) Is(target error) bool { return target == ErrLockedOut }

// PINFailures is a prompt's count of wrong PINs, kept across restarts.
type PINFailures struct {
	Count int
	Last  time.Time // of the latest failure
}

type pinGuard struct {
	mu sync.Mutex
	m  map[Prompt]PINFailures
}

func newPINGuard() *pinGuard { return &pinGuard{m: map[Prompt]PINFailures{}} }

// load takes the counts kept across a restart, keeping the higher.
func (g *pinGuard) load(m map[Prompt]PINFailures) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for at, f := range m {
		if f.Count > g.m[at].Count {
			g.m[at] = f
		}
	}
}

// failures is the count at now, less what time has forgiven.
func (c PINFailures) failures(now time.Time) int {
	if c.Count == 0 || !now.After(c.Last) {
		return c.Count
	}
	return max(c.Count-int(now.Sub(c.Last)/forgiveAfter), 0)
}

// delay is the wait after n failures.
func delay(n int) time.Duration {
	if n < freeTries {
		return 0
	}
	d := firstDelay
	for i := freeTries; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// wait is how long the prompt refuses tries from now.
func (g *pinGuard) wait(at Prompt, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.m[at]
	if c.failures(now) == 0 {
		return 0
	}
	until := c.Last.Add(delay(c.Count))
	return max(until.Sub(now), 0)
}

// fail counts a wrong PIN at the prompt and returns the new count.
func (g *pinGuard) fail(at Prompt, now time.Time) PINFailures {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := PINFailures{Count: g.m[at].failures(now) + 1, Last: now}
	g.m[at] = f
	return f
}
