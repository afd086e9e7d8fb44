package configfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/app/configfile"
)

func TestConfigRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.toml")
	c := app.DefaultConfig()
	c.ServerURL = "http://127.0.0.1:18787"
	c.Deadline = 300 * time.Millisecond
	c.Mode = app.OfflineFirst
	c.Policy.Statuses = []int{1, 2}
	if err := configfile.Write(path, c); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `deadline = "300ms"`) {
		t.Errorf("durations not written as strings:\n%s", b)
	}
	got, err := configfile.Load(path)
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
	if c, err := configfile.Load(filepath.Join(dir, "missing.toml")); err != nil || c.Deadline != app.DefaultDeadline {
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
			if _, err := configfile.Load(p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestLoadConfigOrLastGood(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "config.toml")
	good := app.DefaultConfig()
	good.ServerURL = "http://127.0.0.1:8787"
	if err := configfile.Write(path, good); err != nil {
		t.Fatal(err)
	}

	t.Run("no copy yet: the damaged file's error", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.toml")
		os.WriteFile(bad, []byte("server_url = [\x00"), 0o600)
		if _, err := configfile.LoadOrLastGood(bad, t.TempDir()); err == nil {
			t.Fatal("no error for a damaged file without a good copy")
		}
	})

	if err := configfile.KeepLastGood(path, data); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("server_url = [\x00\xff"), 0o600)

	t.Run("damaged file: the last good copy, with a notice", func(t *testing.T) {
		c, err := configfile.LoadOrLastGood(path, data)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.ServerURL, good.ServerURL; got != want {
			t.Errorf("server_url = %q, want %q", got, want)
		}
		if len(c.Notices) != 1 || c.Notices[0].Code != app.NoticeConfigLastGood {
			t.Errorf("notices = %q", c.Notices)
		}
	})
	t.Run("a missing file is not copied", func(t *testing.T) {
		d := t.TempDir()
		if err := configfile.KeepLastGood(filepath.Join(dir, "none.toml"), d); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(d, configfile.LastGoodFile)); !os.IsNotExist(err) {
			t.Errorf("copy made of a missing file: %v", err)
		}
	})
}

// TestLoadEngineTimings reads the [engine] section: what is set is taken,
// what is not keeps its default, and a value that cannot work is refused
// with the setting's name.
func TestLoadEngineTimings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte("[engine]\nprobe_every = \"3s\"\nupload_batch = 250\nupload_rate = 0.5\n"), 0o600)
	c, err := configfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	tm := c.Timing
	if tm.ProbeEvery != 3*time.Second || tm.UploadBatch != 250 || tm.UploadRate != 0.5 {
		t.Errorf("timings read %+v", tm)
	}
	if d := app.DefaultTiming(); tm.ProbeMax != d.ProbeMax || tm.BackoffMax != d.BackoffMax || d.ProbeMax != 10*time.Second {
		t.Errorf("unset timings %+v, want the defaults %+v", tm, d)
	}

	os.WriteFile(path, []byte("[engine]\nprobe_every = \"1ms\"\n"), 0o600)
	c, err = configfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "engine.probe_every") {
		t.Errorf("probe_every 1ms: %v, want an error naming engine.probe_every", err)
	}
}
