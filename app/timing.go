package app

import (
	"fmt"
	"time"
)

// Timing tunes the engine's background work: the [engine] section of the
// configuration, read at start. A zero field takes the default (in
// brackets), which suits a venue; Validate refuses a value that cannot work.
type Timing struct {
	FailuresToTrip int           `toml:"failures_to_trip"` // consecutive service failures that open the breaker (2)
	ProbeEvery     time.Duration `toml:"probe_every"`      // first probe after the breaker opens (1s); doubles up to ProbeMax
	ProbeMax       time.Duration `toml:"probe_max"`        // (10s)
	ProbeTimeout   time.Duration `toml:"probe_timeout"`    // (2s)
	SyncEvery      time.Duration `toml:"sync_every"`       // signed list refresh (5m)
	IdleCheck      time.Duration `toml:"idle_check"`       // health check after this long without an answer from the service (15s)
	UploadBatch    int           `toml:"upload_batch"`     // entries per upload (100)
	UploadRate     float64       `toml:"upload_rate"`      // upload batches per second at most (2)
	UploadTimeout  time.Duration `toml:"upload_timeout"`   // (10s)
	UploadIdle     time.Duration `toml:"upload_idle"`      // recheck of the queue when nothing nudges it (30s)
	BackoffMin     time.Duration `toml:"backoff_min"`      // first retry after a failed upload (1s); doubles up to BackoffMax
	BackoffMax     time.Duration `toml:"backoff_max"`      // (5m)
	// RecoveryJitter is the most of a random wait before draining after an
	// outage, so a fleet of kiosks does not return all at once (2s). Only
	// Deps.Timing may set it negative, for none (tests).
	RecoveryJitter time.Duration `toml:"recovery_jitter"`
	PurgeEvery     time.Duration `toml:"purge_every"`  // ledger retention purge (24h)
	ResumeEvery    time.Duration `toml:"resume_every"` // retry of the ledger's writes while the disk is full (5s)
}

// DefaultTiming is the engine's timing when the configuration sets none.
func DefaultTiming() Timing { return Timing{}.withDefaults() }

func (t Timing) withDefaults() Timing { return t.over(defaultTiming) }

var defaultTiming = Timing{
	FailuresToTrip: 2,
	ProbeEvery:     time.Second,
	ProbeMax:       10 * time.Second,
	ProbeTimeout:   2 * time.Second,
	SyncEvery:      5 * time.Minute,
	IdleCheck:      15 * time.Second,
	UploadBatch:    100,
	UploadRate:     2,
	UploadTimeout:  10 * time.Second,
	UploadIdle:     30 * time.Second,
	BackoffMin:     time.Second,
	BackoffMax:     5 * time.Minute,
	RecoveryJitter: 2 * time.Second,
	PurgeEvery:     24 * time.Hour,
	ResumeEvery:    5 * time.Second,
}

// over fills t's zero fields from base.
func (t Timing) over(base Timing) Timing {
	d := func(v *time.Duration, b time.Duration) {
		if *v == 0 {
			*v = b
		}
	}
	if t.FailuresToTrip == 0 {
		t.FailuresToTrip = base.FailuresToTrip
	}
	if t.UploadBatch == 0 {
		t.UploadBatch = base.UploadBatch
	}
	if t.UploadRate == 0 {
		t.UploadRate = base.UploadRate
	}
	d(&t.ProbeEvery, base.ProbeEvery)
	d(&t.ProbeMax, base.ProbeMax)
	d(&t.ProbeTimeout, base.ProbeTimeout)
	d(&t.SyncEvery, base.SyncEvery)
	d(&t.IdleCheck, base.IdleCheck)
	d(&t.UploadTimeout, base.UploadTimeout)
	d(&t.UploadIdle, base.UploadIdle)
	d(&t.BackoffMin, base.BackoffMin)
	d(&t.BackoffMax, base.BackoffMax)
	d(&t.RecoveryJitter, base.RecoveryJitter)
	d(&t.PurgeEvery, base.PurgeEvery)
	d(&t.ResumeEvery, base.ResumeEvery)
	return t
}

// span is one duration setting's bounds, for Validate.
type span struct {
	name     string
	v        time.Duration
	min, max time.Duration
}

// Validate reports the first timing that cannot work, naming its setting
// in the [engine] section. Zero fields are the defaults and always valid.
func (t Timing) Validate() error {
	if t.FailuresToTrip < 0 || t.FailuresToTrip > 100 {
		return fmt.Errorf("engine.failures_to_trip %d: want between 1 and 100", t.FailuresToTrip)
	}
	if t.UploadBatch < 0 || t.UploadBatch > 1000 {
		return fmt.Errorf("engine.upload_batch %d: want between 1 and 1000 (the service takes at most 1000 a batch)", t.UploadBatch)
	}
	if t.UploadRate < 0 || (t.UploadRate > 0 && t.UploadRate < 0.01) || t.UploadRate > 100 {
		return fmt.Errorf("engine.upload_rate %g: want between 0.01 and 100 batches a second", t.UploadRate)
	}
	for _, s := range []span{
		{"probe_every", t.ProbeEvery, 100 * time.Millisecond, time.Minute},
		{"probe_max", t.ProbeMax, 100 * time.Millisecond, time.Hour},
		{"probe_timeout", t.ProbeTimeout, 100 * time.Millisecond, time.Minute},
		{"sync_every", t.SyncEvery, 10 * time.Second, 24 * time.Hour},
		{"idle_check", t.IdleCheck, time.Second, time.Hour},
		{"upload_timeout", t.UploadTimeout, time.Second, 5 * time.Minute},
		{"upload_idle", t.UploadIdle, time.Second, time.Hour},
		{"backoff_min", t.BackoffMin, 100 * time.Millisecond, 10 * time.Minute},
		{"backoff_max", t.BackoffMax, 100 * time.Millisecond, 24 * time.Hour},
		{"recovery_jitter", t.RecoveryJitter, 0, 10 * time.Minute},
		{"purge_every", t.PurgeEvery, time.Minute, 7 * 24 * time.Hour},
		{"resume_every", t.ResumeEvery, time.Second, 10 * time.Minute},
	} {
		if s.v != 0 && (s.v < s.min || s.v > s.max) {
			return fmt.Errorf("engine.%s %v: want between %v and %v", s.name, s.v, s.min, s.max)
		}
	}
	f := t.withDefaults()
	if f.ProbeMax < f.ProbeEvery {
		return fmt.Errorf("engine.probe_max %v: want at least probe_every (%v)", f.ProbeMax, f.ProbeEvery)
	}
	if f.BackoffMax < f.BackoffMin {
		return fmt.Errorf("engine.backoff_max %v: want at least backoff_min (%v)", f.BackoffMax, f.BackoffMin)
	}
	return nil
}
