package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"passdesk/pass"
)

// Scan takes one QR text through the whole path: local parse (garbage
// never reaches the network), the duplicate check, the online verdict
// within the deadline or else the offline one, and the ledger. A pass is
// admitted only once its entry is recorded. Scan is safe for concurrent use.
func (e *Engine) Scan(ctx context.Context, text string) Result {
	start := time.Now()
	r := e.scan(ctx, text)
	r.Took = time.Since(start)
	return r
}

func (e *Engine) scan(ctx context.Context, text string) Result {
	s := e.set.Load()
	now := e.now()

	for _, sc := range e.d.Schemes {
		if sc.Prefix() != "" && strings.HasPrefix(text, sc.Prefix()) {
			return e.scanScheme(ctx, s, sc, text, now)
		}
	}

	p, err := pass.Parse(text)
	if err != nil {
		v := pass.Verdict{Reason: pass.ReasonOf(err)}
		if v.Reason == pass.OK || v.Reason == "" {
			v.Reason = pass.Malformed
		}
		if strings.HasPrefix(text, pass.Prefix) {
			v.Scheme = "PD1"
		}
		return e.record(ctx, v, Offline, now, newID(), "")
	}

	slot, first := e.dup.claim(ctx, p.Raw, now)
	if !first {
		v := fromPresentation(p)
		v.Reason = pass.Duplicate
		return e.record(ctx, v, slot.method, now, newID(), "")
	}
	admitted := false
	method := Offline
	id := newID()
	defer func() {
		until := time.Unix(p.IssuedAt, 0).Add(s.cfg.Window + s.cfg.Skew)
		e.dup.finish(p.Raw, slot, admitted, until, method, id)
	}()

	var v pass.Verdict
	online := false
	if e.d.Service != nil && s.cfg.Mode == OnlineFirst {
		v, online = e.verifyOnline(ctx, s, p, text, id)
	}
	if online {
		method = Online
	} else {
		v = e.verifyOffline(s, text, now)
	}
	r := e.record(ctx, v, method, now, id, "")
	admitted = r.Recorded && r.Verdict.Admit
	if admitted && !online && e.d.Service != nil && s.cfg.Mode == OfflineFirst {
		e.recheck(r.Entry, text)
	}
	return r
}

// scanScheme verifies another pass format, offline. Such a pass (an HC1
// certificate) is the same text at every showing and carries no time of
// making, so the same text within window+skew of its admission is the
// duplicate.
func (e *Engine) scanScheme(ctx context.Context, s *settings, sc pass.Scheme, text string, now time.Time) Result {
	raw := []byte(text)
	slot, first := e.dup.claim(ctx, raw, now)
	if !first {
		v := sc.Verify(text, s.policy, now)
		v.Admit, v.Reason = false, pass.Duplicate
		if v.Scheme == "" {
			v.Scheme = strings.TrimSuffix(sc.Prefix(), ":")
		}
		return e.record(ctx, v, Offline, now, newID(), "")
	}
	v := sc.Verify(text, s.policy, now)
	if v.Scheme == "" {
		v.Scheme = strings.TrimSuffix(sc.Prefix(), ":")
	}
	id := newID()
	r := e.record(ctx, v, Offline, now, id, "")
	e.dup.finish(raw, slot, r.Recorded && r.Verdict.Admit, now.Add(s.cfg.Window+s.cfg.Skew), Offline, id)
	return r
}

// verifyOnline asks the service within the deadline. ok is false when the
// service could not give a usable verdict and the offline one must stand.
func (e *Engine) verifyOnline(ctx context.Context, s *settings, p *pass.Presentation, text, id string) (v pass.Verdict, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Deadline)
	defer cancel()
	var ov OnlineVerdict
	err := e.call(func() error {
		var err error
		ov, err = e.d.Service.Verify(ctx, Check{QR: text, VenueID: s.cfg.VenueID, KioskID: s.cfg.KioskID, ScanID: id})
		if err == nil && !sane(ov) {
			err = &Unavailable{Cause: "unreadable answer"}
		}
		return err
	})
	if err != nil {
		if _, down := unavailable(err); !down && ctx.Err() == nil {
			// The service answered but would not verify: a setting of
			// this kiosk (venue, kiosk ID) is likely wrong.
			e.notice("the service refused to verify a pass: " + err.Error())
		}
		return v, false
	}
	v = fromPresentation(p)
	v.Admit, v.Reason = ov.Admit, pass.Reason(ov.Reason)
	if ov.Name != "" {
		v.Name = ov.Name
	}
	if ov.Status != 0 {
		v.Status = pass.Status(ov.Status)
	}
	if len(ov.CID) == 16 {
		v.CID = ov.CID
	}
	return v, true
}

// sane reports whether an online verdict is one the kiosk can show: a
// known reason code, admit exactly when it is "ok".
func sane(ov OnlineVerdict) bool {
	switch pass.Reason(ov.Reason) {
	case pass.OK:
		return ov.Admit
	case pass.UnsupportedFormat, pass.Malformed, pass.TrustListStale, pass.UnknownIssuer,
		pass.BadIssuerSignature, pass.BadHolderSignature, pass.CredentialNotYetValid,
		pass.CredentialExpired, pass.QRFromFuture, pass.QRExpired, pass.Revoked, pass.PolicyDenied:
		return !ov.Admit
	}
	return false
}

func (e *Engine) verifyOffline(s *settings, text string, now time.Time) pass.Verdict {
	tl, rl := e.lists.held()
	v := pass.Verify(text, tl, rl, s.policy, s.rules, now)
	if v.Scheme == "" {
		v.Scheme = "PD1"
	}
	return v
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
		Scheme:   "PD1",
	}
}

// record writes the entry for a verdict. The result says admitted only when
// the ledger took the entry.
func (e *Engine) record(ctx context.Context, v pass.Verdict, m Method, now time.Time, id, corrects string) Result {
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
	}
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
	e.pending.Add(1)
	e.nudge()
	return r
}

// recheck asks the service about a pass admitted offline (offline-first
// mode). A revocation found afterwards becomes a correction entry and an
// alert to staff.
func (e *Engine) recheck(orig Entry, text string) {
	e.spawnBackground(func(ctx context.Context) {
		s := e.set.Load()
		ctx, cancel := context.WithTimeout(ctx, s.cfg.Deadline)
		defer cancel()
		var ov OnlineVerdict
		err := e.call(func() error {
			var err error
			ov, err = e.d.Service.Verify(ctx, Check{QR: text, VenueID: s.cfg.VenueID, KioskID: s.cfg.KioskID, ScanID: orig.ID})
			return err
		})
		if err != nil || ov.Admit || pass.Reason(ov.Reason) != pass.Revoked {
			return
		}
		v := pass.Verdict{
			Reason: pass.Revoked, Name: orig.Name, Status: pass.Status(orig.Status),
			Issuer: orig.Issuer, CID: orig.CID, Sub: orig.Sub, Scheme: orig.Scheme,
		}
		r := e.record(ctx, v, Online, e.now(), newID(), orig.ID)
		r.Alert = true
		select {
		case e.alerts <- r:
		default:
			e.notice("an alert was dropped because nobody read the alerts: entry " + orig.ID + " was revoked")
		}
	})
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
