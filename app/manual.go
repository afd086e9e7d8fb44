package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of manual entries and settings.
var (
	ErrNoVisitorName  = errors.New("a manual entry needs the visitor's name")
	ErrNoManualReason = errors.New("a manual entry needs a reason: service outage, no phone, medical exemption, minor or other")
	ErrNoConfigFile   = errors.New("this kiosk has no configuration file to save to")
)

// RecordManual records a visitor admitted by hand (the paper log's
// replacement). It fills the ID, time, method, outcome and the outage under
// way, and requires the visitor's name and a reason.
func (e *Engine) RecordManual(ctx context.Context, by Person, m Entry) (Entry, error) {
	if !by.Active || (by.Role != Staff && by.Role != Manager) {
		return Entry{}, ErrNotAllowed
	}
	m.VisitorName = strings.TrimSpace(m.VisitorName)
	if m.VisitorName == "" {
		return Entry{}, ErrNoVisitorName
	}
	switch m.ManualReason {
	case ReasonOutage, ReasonNoPhone, ReasonMedicalExemption, ReasonMinor, ReasonOther:
	default:
		return Entry{}, ErrNoManualReason
	}
	s := e.set.Load()
	m.ID = newID()
	m.Seq = 0
	m.Time = e.now()
	m.VenueID, m.KioskID = s.cfg.VenueID, s.cfg.KioskID
	m.Method, m.Outcome, m.Reason = Manual, Admit, string(Manual)
	m.Staff = by.Name
	m.OutageID = e.br.outage()
	m.Uploaded = false
	got, err := e.d.Ledger.Record(ctx, m)
	if err != nil {
		return Entry{}, fmt.Errorf("not recorded: %w", err)
	}
	e.pending.Add(1)
	e.nudge()
	return got, nil
}

// SignIn checks a PIN and audits the attempt.
func (e *Engine) SignIn(ctx context.Context, pin string) (Person, error) {
	if e.d.People == nil {
		return Person{}, ErrNotAllowed
	}
	p, err := e.d.People.SignIn(ctx, pin)
	if err != nil {
		e.d.People.Audit(ctx, "", "sign_in_failed", err.Error())
		return Person{}, err
	}
	if aerr := e.d.People.Audit(ctx, p.Name, "sign_in", string(p.Role)); aerr != nil {
		e.notice("a sign-in could not be audited: " + aerr.Error())
	}
	return p, nil
}

// SaveConfig lets a manager change the settings: it validates them, writes
// the configuration file atomically, audits the change and applies at once
// what can change live (deadline, window, skew, mode, policy, roots). The
// server, camera, venue and kiosk take effect at the next start.
func (e *Engine) SaveConfig(by Person, c Config) error {
	if !by.Active || by.Role != Manager {
		return ErrNotAllowed
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	old := e.set.Load()
	c.DataDir, c.ConfigFile = old.cfg.DataDir, old.cfg.ConfigFile
	if c.ConfigFile == "" {
		return ErrNoConfigFile
	}
	if err := c.Validate(); err != nil {
		return err
	}
	s, err := newSettings(c)
	if err != nil {
		return err
	}
	if err := WriteConfig(c.ConfigFile, c); err != nil {
		return fmt.Errorf("settings not saved: %w", err)
	}
	changed := diffConfig(old.cfg, c)
	if e.d.People != nil {
		if err := e.d.People.Audit(context.Background(), by.Name, "settings", strings.Join(changed, ", ")); err != nil {
			e.notice("a settings change could not be audited: " + err.Error())
		}
	}
	e.set.Store(s)
	if strings.Join(old.cfg.Roots, ",") != strings.Join(c.Roots, ",") {
		// The lists held were checked against the old roots: check the
		// stored ones against the new.
		e.lists.mu.Lock()
		e.lists.tl, e.lists.rl, e.lists.tlETag, e.lists.rlETag = nil, nil, "", ""
		e.lists.mu.Unlock()
		e.loadLists(s.roots)
		e.nudgeSync()
	}
	for _, k := range changed {
		switch k {
		case "server_url", "camera", "resolution", "venue_id", "kiosk_id", "retention_days", "dcc_trust":
			e.notice("some settings take effect when PassDesk is restarted: " + k)
		}
	}
	return nil
}

// nudgeSync asks the sync loop for a list sync now.
func (e *Engine) nudgeSync() {
	select {
	case e.syncWake <- struct{}{}:
	default:
	}
}

// diffConfig names the settings that differ.
func diffConfig(a, b Config) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("server_url", a.ServerURL != b.ServerURL)
	add("roots", strings.Join(a.Roots, ",") != strings.Join(b.Roots, ","))
	add("venue_id", a.VenueID != b.VenueID)
	add("kiosk_id", a.KioskID != b.KioskID)
	add("deadline", a.Deadline != b.Deadline)
	add("window", a.Window != b.Window)
	add("skew", a.Skew != b.Skew)
	add("mode", a.Mode != b.Mode)
	add("policy", fmt.Sprint(a.Policy) != fmt.Sprint(b.Policy))
	add("camera", a.Camera != b.Camera)
	add("resolution", a.Resolution != b.Resolution)
	add("language", a.Language != b.Language)
	add("retention_days", a.RetentionDays != b.RetentionDays)
	add("sounds", a.Sounds != b.Sounds)
	add("dcc_trust", a.DCCTrust != b.DCCTrust)
	if len(out) == 0 {
		out = []string{"no change"}
	}
	return out
}

// purger is the ledger's retention purge, when the ledger has one.
type purger interface {
	Purge(ctx context.Context, now time.Time) (int, error)
}

// purgeLoop purges rows past the retention at start and once a day.
func (e *Engine) purgeLoop(ctx context.Context) {
	p, ok := e.d.Ledger.(purger)
	if !ok {
		return
	}
	for {
		if _, err := p.Purge(ctx, e.now()); err != nil && ctx.Err() == nil {
			e.notice("old ledger rows could not be purged: " + err.Error())
		}
		if !sleep(ctx, e.t.PurgeEvery) {
			return
		}
	}
}
