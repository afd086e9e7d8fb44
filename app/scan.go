package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"passdesk/pass"
)

// Scan takes one QR text through the whole path: the local parse (garbage
// never reaches the network), the duplicate check, the local verdict, the
// service's answer within the deadline where the mode asks for it, and the
// ledger. A pass is admitted only once its entry is recorded. Scan is safe
// for concurrent use.
//
// The kiosk decides: every verdict is the kiosk's own, and the service's
// answer can only add a denial (see judge).
func (e *Engine) Scan(ctx context.Context, text string) Result {
	start := time.Now()
	r := e.scan(ctx, text)
	r.Took = time.Since(start)
	return r
}

func (e *Engine) scan(ctx context.Context, text string) Result {
	text = RepairTyped(text, e.prefixes)
	s := e.set.Load()
	now := e.verifyTime(e.now())
	if sc := pass.SchemeFor(text, e.d.Schemes); sc != nil {
		return e.scanScheme(ctx, s, sc, text, now)
	}
	p, err := pass.Parse(text)
	if err != nil {
		return e.record(ctx, unreadable(err), Offline, now, newID(), "", nil)
	}
	return e.scanPD1(ctx, s, p, text, now)
}

// unreadable is the verdict on a text that is no PD1 pass.
func unreadable(err error) pass.Verdict {
	v := pass.Verdict{Reason: pass.ReasonOf(err), Scheme: pass.SchemePD1}
	if v.Reason == pass.UnsupportedFormat {
		v.Scheme = ""
	} else if v.Reason == pass.OK || v.Reason == "" {
		v.Reason = pass.Malformed
	}
	return v
}

// scanPD1 takes a parsed PD1 presentation through the duplicate check,
// the local verdict, the service where the mode asks, and the ledger.
func (e *Engine) scanPD1(ctx context.Context, s *settings, p *pass.Presentation, text string, now time.Time) Result {
	key := dupKey(p.Key())
	slot, first := e.dup.claim(ctx, key, now)
	if !first {
		v := fromPresentation(p)
		v.Reason = pass.Duplicate
		return e.record(ctx, v, slot.method, now, newID(), "", nil)
	}
	admitted, disagrees, method, id := false, false, Offline, newID()
	defer func() {
		until := time.Unix(p.IssuedAt, 0).Add(s.cfg.Window + s.cfg.Skew)
		e.dup.finish(key, slot, admitted, until, method, id)
	}()

	local := func() pass.Verdict {
		tl, rl := e.lists.held()
		return p.Verify(tl, rl, s.policy, s.rules, now)
	}
	var v pass.Verdict
	if e.d.Service != nil && s.cfg.Mode == OnlineFirst {
		// The kiosk's own check runs while the service is asked, so it
		// adds nothing to an online scan but the wait for the slower.
		done := make(chan pass.Verdict, 1)
		go func() { done <- local() }()
		ov, ok := e.ask(ctx, s, text)
		v = <-done
		if ok {
			method = Online
			v, disagrees = judge(v, ov)
		}
	} else {
		v = local()
	}
	r := e.record(ctx, v, method, now, id, "", key[:])
	admitted = r.Recorded && r.Verdict.Admit
	if disagrees {
		e.disagreed(ctx, r)
	}
	if admitted && method == Offline && e.d.Service != nil && s.cfg.Mode == OfflineFirst {
		e.recheck(r.Entry, text)
	}
	return r
}

// scanScheme verifies another pass format, offline. Such a pass (an HC1
// certificate) is the same certificate at every showing and carries no
// time of making, so the same certificate within window+skew of its
// admission is the duplicate. "The same" is what its issuer signed, when
// the scheme can name it (a keyer: dcc.Scheme), so that re-encodings of
// one certificate are one presentation; else the text.
func (e *Engine) scanScheme(ctx context.Context, s *settings, sc pass.Scheme, text string, now time.Time) Result {
	var key dupKey
	if k, ok := sc.(keyer); !ok {
		key = dupKey(sha256.Sum256([]byte(text)))
	} else if signed, err := k.Key(text); err == nil {
		key = dupKey(signed)
	} else {
		// A text its scheme cannot name is no pass: refused, and kept
		// off the duplicate path, whatever the scheme's verdict says.
		v := schemeVerdict(sc, text, s.policy, now)
		if v.Admit || v.Reason == pass.OK || v.Reason == "" {
			v = pass.Verdict{Reason: pass.Malformed, Scheme: v.Scheme}
		}
		return e.record(ctx, v, Offline, now, newID(), "", nil)
	}
	slot, first := e.dup.claim(ctx, key, now)
	v := schemeVerdict(sc, text, s.policy, now)
	if !first {
		// A copy that does not verify (a forged signature over the same
		// content) keeps its own denial; a good one is the duplicate.
		if v.Admit {
			v.Admit, v.Reason = false, pass.Duplicate
		}
		return e.record(ctx, v, Offline, now, newID(), "", nil)
	}
	id := newID()
	r := e.record(ctx, v, Offline, now, id, "", key[:])
	e.dup.finish(key, slot, r.Recorded && r.Verdict.Admit, now.Add(s.cfg.Window+s.cfg.Skew), Offline, id)
	return r
}

// keyer is a pass.Scheme that names a pass by what its issuer signed
// (dcc.Scheme.Key); the error is for a text it cannot decode that far.
type keyer interface {
	Key(text string) ([32]byte, error)
}

// schemeVerdict is the scheme's verdict, named after its prefix when the
// scheme leaves the name out.
func schemeVerdict(sc pass.Scheme, text string, pol pass.Policy, now time.Time) pass.Verdict {
	v := sc.Verify(text, pol, now)
	if v.Scheme == "" {
		v.Scheme = strings.TrimSuffix(sc.Prefix(), ":")
	}
	return v
}

// judge combines the kiosk's own verdict with the service's answer. The
// service can only add a denial the kiosk cannot know by itself (a live
// revocation, a presentation just used at another kiosk): it never turns
// a local deny into admit. The venue's policy is the kiosk's alone (the
// service applies its own default), so a policy denial from the service
// changes nothing. A service admitting what the kiosk denies is noted by
// the caller (disagreed) when disagrees is true. A kiosk that holds no
// usable trust list (first start, lists not fetched yet) could not check
// the pass: its deny stands, the status bar says the trust list is
// missing or stale, and the service is not accused of lying.
func judge(local pass.Verdict, ov OnlineVerdict) (v pass.Verdict, disagrees bool) {
	v = local
	if local.Admit && !ov.Admit && pass.Reason(ov.Reason) != pass.PolicyDenied {
		v.Admit, v.Reason = false, pass.Reason(ov.Reason)
	}
	return v, !local.Admit && ov.Admit && local.Reason != pass.TrustListStale
}

// disagreed raises a service that admitted a pass the kiosk denied: it
// means a spoofed or misconfigured service. The local deny stands; the
// manager hears of it, in the audit trail, the notices and an alert.
func (e *Engine) disagreed(ctx context.Context, r Result) {
	detail := fmt.Sprintf("entry %s: the service answered admit, the kiosk found %s", r.Entry.ID, r.Verdict.Reason)
	e.notice(NoticeServiceDisagrees, detail)
	e.event(EventServiceDisagrees, detail, 0)
	e.audit(ctx, Person{Name: "kiosk"}, string(pass.ServiceDisagrees), detail)
	r.Alert = true
	r.Verdict.Reason = pass.ServiceDisagrees
	e.raise(r)
}

// ask is the one service call for a verdict: within the deadline, through
// the breaker, and only an answer the kiosk can read. ok is false when the
// service gave no usable answer; the local verdict then stands alone.
func (e *Engine) ask(ctx context.Context, s *settings, text string) (ov OnlineVerdict, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Deadline)
	defer cancel()
	// The scan ID is not the entry ID: the register's idempotency key is
	// never sent ahead of the entry.
	c := Check{QR: text, VenueID: s.cfg.VenueID, KioskID: s.cfg.KioskID, ScanID: newID()}
	err := e.call(func() error {
		var err error
		ov, err = e.d.Service.Verify(ctx, c)
		if err == nil && !sane(ov) {
			err = &Unavailable{Cause: "unreadable answer"}
		}
		return err
	})
	if err != nil {
		if _, down := unavailable(err); !down && ctx.Err() == nil && !errors.Is(err, ErrUnauthorized) {
			// The service answered but would not verify: a setting of
			// this kiosk (venue, kiosk ID, credential) is likely wrong.
			e.notice(NoticeVerifyRefused, err.Error())
		}
		return ov, false
	}
	return ov, true
}

// sane reports whether an online verdict is one the kiosk can read: a
// known reason code, admit exactly when it is "ok".
func sane(ov OnlineVerdict) bool {
	r := pass.Reason(ov.Reason)
	return r.Known() && ov.Admit == (r == pass.OK)
}

// fromPresentation is what the pass itself says, before any verdict.
func fromPresentation(p *pass.Presentation) pass.Verdict {
	c := p.Claims
	return pass.Verdict{
		Name:     c.Name,
		Status:   c.Status,
		Issuer:   c.Issuer,
		CID:      append([]byte(nil), c.CID[:]...),
		Sub:      append([]byte(nil), c.Sub[:]...),
		IssuedAt: p.IssuedAt,
		Scheme:   pass.SchemePD1,
	}
}

// record writes the entry for a verdict; key is the presentation's
// duplicate key, kept with an admission. The result says admitted only
// when the ledger took the entry.
func (e *Engine) record(ctx context.Context, v pass.Verdict, m Method, now time.Time, id, corrects string, key []byte) Result {
	s := e.set.Load()
	ent := Entry{
		ID:       id,
		Time:     now,
		VenueID:  s.cfg.VenueID,
		KioskID:  s.cfg.KioskID,
		Outcome:  Deny,
		Method:   m,
		Reason:   string(v.Reason),
		Scheme:   v.Scheme,
		Issuer:   v.Issuer,
		Status:   int(v.Status),
		Name:     v.Name,
		CID:      v.CID,
		Sub:      v.Sub,
		OutageID: e.br.outage(),
		Corrects: corrects,
		Key:      key,
	}
	if v.Reason != pass.RulesFailed {
		v.Rule = nil // a rule is named only for the deny it caused
	}
	ent.Rule = v.Rule.Ref()
	switch {
	case v.Reason == pass.Duplicate:
		ent.Outcome = Duplicate
	case v.Admit:
		ent.Outcome = Admit
	}
	r := Result{Entry: ent, Verdict: v}
	got, err := e.d.Ledger.Record(context.WithoutCancel(ctx), ent)
	if err != nil {
		r.Err = fmt.Errorf("not recorded: %w", err)
		r.Verdict.Admit = false
		return r
	}
	r.Entry, r.Recorded = got, true
	e.trust(now) // the newest ledger row: a clock set back later gains nothing
	e.pending.Add(1)
	e.nudge()
	return r
}

// recheck asks the service about a pass admitted offline (offline-first
// mode). A denial found afterwards (a revocation, a use at another kiosk)
// becomes a correction entry and an alert to staff.
func (e *Engine) recheck(orig Entry, text string) {
	e.spawnBackground(func(ctx context.Context) {
		ov, ok := e.ask(ctx, e.set.Load(), text)
		if !ok || ov.Admit || pass.Reason(ov.Reason) == pass.PolicyDenied {
			return
		}
		v := pass.Verdict{
			Reason: pass.Reason(ov.Reason), Name: orig.Name, Status: pass.Status(orig.Status),
			Issuer: orig.Issuer, CID: orig.CID, Sub: orig.Sub, Scheme: orig.Scheme,
		}
		r := e.record(ctx, v, Online, e.verifyTime(e.now()), newID(), orig.ID, nil)
		r.Alert = true
		e.raise(r)
	})
}

// raise delivers an alert to staff; one nobody reads becomes a notice.
func (e *Engine) raise(r Result) {
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	if e.closing {
		return // Close is about to close the channel
	}
	select {
	case e.alerts <- r:
	default:
		e.notice(NoticeAlertDropped, fmt.Sprintf("entry %s: %s", r.Entry.ID, r.Verdict.Reason))
	}
}

// spawnBackground runs f on the engine's background context (without
// Start, on a context of its own), and Close waits for it. It reports
// false, and runs nothing, once the engine is closing.
func (e *Engine) spawnBackground(f func(ctx context.Context)) bool {
	e.bgMu.Lock()
	ctx := e.bgCtx
	if e.closing {
		e.bgMu.Unlock()
		return false
	}
	e.wg.Add(1)
	e.bgMu.Unlock()
	if ctx == nil {
		ctx = context.Background()
	}
	go func() {
		defer e.wg.Done()
		f(ctx)
	}()
	return true
}

// nudge wakes the uploader.
func (e *Engine) nudge() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}
