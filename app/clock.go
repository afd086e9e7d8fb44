package app

import (
	"fmt"
	"time"
)

// ClockOff reports whether a clock offset is beyond the skew, either way:
// the 15-second rule then refuses good passes or admits stale ones.
func ClockOff(offset, skew time.Duration) bool { return offset > skew || -offset > skew }

// trust raises the latest trusted time to t when t is later.
func (e *Engine) trust(t time.Time) {
	if t.IsZero() {
		return
	}
	n := t.UnixNano()
	for {
		old := e.floor.Load()
		if n <= old || e.floor.CompareAndSwap(old, n) {
			return
		}
	}
}

// trustService takes the service's clock, read over the authenticated
// link. It raises the trusted time like any other, and it is the one
// source that may lower it: a ledger row written while the kiosk's clock
// was once set far ahead must not refuse every pass for good.
func (e *Engine) trustService(t time.Time, skew time.Duration) {
	if floor := e.trusted(); !floor.IsZero() && t.Before(floor.Add(-skew)) {
		e.floor.Store(t.UnixNano())
		e.notice(NoticeClockBehind, fmt.Sprintf("the latest trusted time %s was ahead of the service's clock %s; the service's is used",
			floor.Format(time.DateTime), t.Format(time.DateTime)))
		return
	}
	e.trust(t)
}

// trusted is the latest trusted time seen, zero when none.
func (e *Engine) trusted() time.Time {
	n := e.floor.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// verifyTime is the time a scan is verified at: the kiosk's clock, or the
// latest trusted time when the clock is behind it. A clock set back to
// let old screenshots through gains nothing.
func (e *Engine) verifyTime(now time.Time) time.Time {
	if floor := e.trusted(); now.Before(floor) {
		return floor
	}
	return now
}

// checkClock tells the manager, once per episode, that the kiosk's clock
// and the service's disagree by more than the skew (the 15-second rule
// then refuses good passes or admits stale ones), or that it is behind
// the latest trusted time.
func (e *Engine) checkClock() {
	skew := e.set.Load().cfg.Skew
	local := e.now()
	if e.d.Service != nil {
		if svc, at, ok := e.d.Service.Clock(); ok {
			e.trustService(svc.Add(local.Sub(at)), skew)
			off := svc.Sub(at)
			warn := ClockOff(off, skew)
			if warn != e.clockWarned.Swap(warn) && warn {
				msg := fmt.Sprintf("%v (skew %v)", off.Round(time.Second), skew)
				e.notice(NoticeClock, msg)
				e.event(EventClockWarning, msg, 0)
			}
		}
	}
	if floor := e.trusted(); local.Before(floor.Add(-skew)) {
		msg := fmt.Sprintf("clock %s, trusted time %s", local.Format(time.DateTime), floor.Format(time.DateTime))
		e.notice(NoticeClockBehind, msg)
		e.event(EventClockWarning, msg, 0)
	}
}
