package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
)

func TestConfigRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.toml")
	c := app.DefaultConfig()
	c.ServerURL = "http://127.0.0.1:8787"
	c.Deadline = 300 * time.Millisecond
	c.Mode = app.OfflineFirst
	c.Policy.Statuses = []int{1, 2}
	if err := app.WriteConfig(path, c); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `deadline = "300ms"`) {
		t.Errorf("durations not written as strings:\n%s", b)
	}
	got, err := app.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Deadline != c.Deadline || got.Mode != c.Mode || got.ServerURL != c.ServerURL || len(got.Policy.Statuses) != 2 || got.Window != c.Window {
		t.Errorf("got %+v", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	if c, err := app.LoadConfig(filepath.Join(dir, "missing.toml")); err != nil || c.Deadline != app.DefaultDeadline {
		t.Errorf("missing file: %+v, %v", c, err)
	}
	cases := map[string]string{
		"bad toml":     "deadline = ",
		"bad duration": `deadline = "fast"`,
		"unknown key":  `colour = "red"`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".toml")
			os.WriteFile(p, []byte(text), 0o600)
			if _, err := app.LoadConfig(p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]func(*app.Config){
		"server url": func(c *app.Config) { c.ServerURL = "ftp://x" },
		"root":       func(c *app.Config) { c.Roots = []string{"not a key"} },
		"deadline":   func(c *app.Config) { c.Deadline = time.Millisecond },
		"window":     func(c *app.Config) { c.Window = 0 },
		"skew":       func(c *app.Config) { c.Skew = -time.Second },
		"mode":       func(c *app.Config) { c.Mode = "sometimes" },
		"status":     func(c *app.Config) { c.Policy.Statuses = []int{0} },
		"ages":       func(c *app.Config) { c.Policy.MinAge, c.Policy.MaxAge = 20, 10 },
		"camera":     func(c *app.Config) { c.Camera = "" },
		"resolution": func(c *app.Config) { c.Resolution = "big" },
		"language":   func(c *app.Config) { c.Language = "fr" },
		"retention":  func(c *app.Config) { c.RetentionDays = 0 },
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
	path := filepath.Join(t.TempDir(), "config.toml")
	r := newRig(t, func(c *app.Config, _ *app.Deps) { c.ConfigFile = path })
	manager := app.Person{ID: 1, Name: "Park", Role: app.Manager, Active: true}
	staff := app.Person{ID: 2, Name: "Kim", Role: app.Staff, Active: true}
	c := r.e.Config()
	c.Deadline = 500 * time.Millisecond
	if err := r.e.SaveConfig(staff, c); err != app.ErrNotAllowed {
		t.Errorf("staff: %v", err)
	}
	bad := c
	bad.Mode = "x"
	if err := r.e.SaveConfig(manager, bad); err == nil {
		t.Error("invalid config saved")
	}
	if err := r.e.SaveConfig(manager, c); err != nil {
		t.Fatal(err)
	}
	if got := r.e.Config().Deadline; got != 500*time.Millisecond {
		t.Errorf("deadline in use %v", got)
	}
	if got, err := app.LoadConfig(path); err != nil || got.Deadline != 500*time.Millisecond || got.Roots[0] != c.Roots[0] {
		t.Errorf("file: %+v %v", got, err)
	}
}

func TestLoadConfigOrLastGood(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "config.toml")
	good := app.DefaultConfig()
	good.ServerURL = "http://127.0.0.1:8787"
	if err := app.WriteConfig(path, good); err != nil {
		t.Fatal(err)
	}

	t.Run("no copy yet: the damaged file's error", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.toml")
		os.WriteFile(bad, []byte("server_url = [\x00"), 0o600)
		if _, err := app.LoadConfigOrLastGood(bad, t.TempDir()); err == nil {
			t.Fatal("no error for a damaged file without a good copy")
		}
	})

	if err := app.KeepLastGood(path, data); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("server_url = [\x00\xff"), 0o600)

	t.Run("damaged file: the last good copy, with a notice", func(t *testing.T) {
		c, err := app.LoadConfigOrLastGood(path, data)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.ServerURL, good.ServerURL; got != want {
			t.Errorf("server_url = %q, want %q", got, want)
		}
		if len(c.Notices) != 1 || !strings.Contains(c.Notices[0], "last good configuration") {
			t.Errorf("notices = %q", c.Notices)
		}
	})
	t.Run("a missing file is not copied", func(t *testing.T) {
		d := t.TempDir()
		if err := app.KeepLastGood(filepath.Join(dir, "none.toml"), d); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(d, app.LastGoodFile)); !os.IsNotExist(err) {
			t.Errorf("copy made of a missing file: %v", err)
		}
	})
}
