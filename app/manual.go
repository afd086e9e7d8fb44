package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	m.Time = e.verifyTime(e.now())
	m.VenueID, m.KioskID = s.cfg.VenueID, s.cfg.KioskID
	m.Method, m.Outcome, m.Reason = Manual, Admit, string(Manual)
	m.Staff = by.Name
	m.OutageID = e.br.outage()
	m.Uploaded = false
	got, err := e.d.Ledger.Record(ctx, m)
	if err != nil {
		return Entry{}, fmt.Errorf("not recorded: %w", err)
	}
	e.trust(got.Time)
	e.pending.Add(1)
	e.nudge()
	e.audit(ctx, by, "manual_entry", got.ID+" "+string(got.ManualReason))
	return got, nil
}

// SaveConfig lets a manager change the settings: it validates them, writes
// the configuration file atomically, audits the change and applies at once
// what can change live (deadline, window, skew, mode, policy, roots). The
// server, camera, venue and kiosk take effect at the next start.
func (e *Engine) SaveConfig(ctx context.Context, by Person, c Config) error {
	if !isManager(by) {
		return ErrNotAllowed
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	old := e.set.Load()
	c.DataDir, c.ConfigFile, c.Notices = old.cfg.DataDir, old.cfg.ConfigFile, nil
	if e.d.Config == nil {
		return ErrNoConfigFile
	}
	if err := c.Validate(); err != nil {
		return err
	}
	s, err := newSettings(c)
	if err != nil {
		return err
	}
	if err := e.d.Config.Save(ctx, c); err != nil {
		return fmt.Errorf("settings not saved: %w", err)
	}
	changed := diffConfig(old.cfg, c)
	e.audit(ctx, by, "settings", strings.Join(changed, ", "))
	e.set.Store(s)
	if strings.Join(old.cfg.Roots, ",") != strings.Join(c.Roots, ",") {
		// The lists held were checked against the old roots: check the
		// stored ones against the new.
		e.lists.reset()
		e.loadLists(s.roots)
		e.nudgeSync()
	}
	for _, k := range changed {
		switch k {
		case "server_url", "camera", "resolution", "venue_id", "kiosk_id", "retention_days", "dcc_trust", "server_ca", "credential_file":
			e.notice(NoticeRestart, k)
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
	add("server_ca", a.ServerCA != b.ServerCA)
	add("credential_file", a.CredentialFile != b.CredentialFile)
	if len(out) == 0 {
		out = []string{"no change"}
	}
	return out
}

// purgeLoop purges rows past the retention at start and once a day.
func (e *Engine) purgeLoop(ctx context.Context) {
	for {
		if _, err := e.d.Ledger.Purge(ctx, e.now()); err != nil && ctx.Err() == nil {
			e.notice(NoticePurgeFailed, err.Error())
		}
		if !sleep(ctx, e.t.PurgeEvery) {
			return
		}
	}
}

// resumeLoop retries the ledger's writes while the disk is full, so
// recording resumes, and the period without records is itself recorded,
// as soon as space is back rather than at the next scan.
func (e *Engine) resumeLoop(ctx context.Context) {
	for sleep(ctx, e.t.ResumeEvery) {
		if e.d.Ledger.Unrecorded().Since.IsZero() {
			continue
		}
		if err := e.d.Ledger.Resume(ctx); err == nil {
			e.event(EventRecordingResumed, "", 0)
		}
	}
}
