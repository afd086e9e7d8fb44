package app_test

import (
	"context"
	"testing"
	"time"

	"passdesk/app"
)

func TestValidate(t *testing.T) {
	bad := map[string]func(*app.Config){
		"server url":  func(c *app.Config) { c.ServerURL = "ftp://x" },
		"root":        func(c *app.Config) { c.Roots = []string{"not a key"} },
		"deadline":    func(c *app.Config) { c.Deadline = time.Millisecond },
		"window":      func(c *app.Config) { c.Window = 0 },
		"skew":        func(c *app.Config) { c.Skew = -time.Second },
		"mode":        func(c *app.Config) { c.Mode = "sometimes" },
		"status":      func(c *app.Config) { c.Policy.Statuses = []int{0} },
		"ages":        func(c *app.Config) { c.Policy.MinAge, c.Policy.MaxAge = 20, 10 },
		"camera":      func(c *app.Config) { c.Camera = "" },
		"resolution":  func(c *app.Config) { c.Resolution = "big" },
		"language":    func(c *app.Config) { c.Language = "fr" },
		"retention":   func(c *app.Config) { c.RetentionDays = 0 },
		"probe every": func(c *app.Config) { c.Timing.ProbeEvery = time.Millisecond },
		"probe max below probe every": func(c *app.Config) {
			c.Timing.ProbeEvery, c.Timing.ProbeMax = 30*time.Second, 10*time.Second
		},
		"backoff max below min": func(c *app.Config) { c.Timing.BackoffMin, c.Timing.BackoffMax = time.Minute, time.Second },
		"upload batch":          func(c *app.Config) { c.Timing.UploadBatch = 5000 },
		"upload rate":           func(c *app.Config) { c.Timing.UploadRate = -1 },
		"failures to trip":      func(c *app.Config) { c.Timing.FailuresToTrip = -2 },
		"upload timeout":        func(c *app.Config) { c.Timing.UploadTimeout = time.Hour },
		"negative jitter":       func(c *app.Config) { c.Timing.RecoveryJitter = -time.Second },
	}
	if err := app.DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, f := range bad {
		t.Run(name, func(t *testing.T) {
			c := app.DefaultConfig()
			f(&c)
			if err := c.Validate(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestSaveConfig(t *testing.T) {
	store := &configStore{}
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Config = store })
	ctx := context.Background()
	manager := app.Person{ID: 1, Name: "Park", Role: app.Manager, Active: true}
	staff := app.Person{ID: 2, Name: "Kim", Role: app.Staff, Active: true}
	c := r.e.Config()
	c.Deadline = 500 * time.Millisecond
	if err := r.e.SaveConfig(ctx, staff, c); err != app.ErrNotAllowed {
		t.Errorf("staff: %v", err)
	}
	bad := c
	bad.Mode = "x"
	if err := r.e.SaveConfig(ctx, manager, bad); err == nil {
		t.Error("invalid config saved")
	}
	if err := r.e.SaveConfig(ctx, manager, c); err != nil {
		t.Fatal(err)
	}
	if got := r.e.Config().Deadline; got != 500*time.Millisecond {
		t.Errorf("deadline in use %v", got)
	}
	if got := store.saved; got.Deadline != 500*time.Millisecond || got.Roots[0] != c.Roots[0] {
		t.Errorf("saved: %+v", got)
	}
	t.Run("no store refuses", func(t *testing.T) {
		r := newRig(t, nil)
		if err := r.e.SaveConfig(ctx, manager, c); err != app.ErrNoConfigFile {
			t.Errorf("err = %v, want %v", err, app.ErrNoConfigFile)
		}
	})
}

// configStore is an in-memory app.ConfigStore.
type configStore struct{ saved app.Config }

func (s *configStore) Save(_ context.Context, c app.Config) error {
	s.saved = c
	return nil
}
