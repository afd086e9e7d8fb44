package app

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"passdesk/pass"
)

// Configuration defaults.
const (
	DefaultDeadline      = 800 * time.Millisecond
	DefaultRetentionDays = 28
	DefaultResolution    = "1280x720"
	DefaultCamera        = "auto"
)

// DefaultConfig is the configuration of a kiosk with no file.
func DefaultConfig() Config {
	return Config{
		Deadline:      DefaultDeadline,
		Window:        pass.DefaultWindow,
		Skew:          pass.DefaultSkew,
		Mode:          OnlineFirst,
		Camera:        DefaultCamera,
		Resolution:    DefaultResolution,
		RetentionDays: DefaultRetentionDays,
		Sounds:        true,
	}
}

// LoadConfig reads a TOML configuration file over the defaults. A missing
// file is not an error: the defaults are returned. Durations are written as
// strings ("800ms", "15s").
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return DefaultConfig(), fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return DefaultConfig(), fmt.Errorf("config %s: unknown settings: %s", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// WriteConfig writes c as TOML to path atomically (a temporary file in the
// same directory, synced, then renamed over the old one).
func WriteConfig(path string, c Config) error {
	var buf bytes.Buffer
	buf.WriteString("# PassDesk kiosk configuration\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return writeFileAtomic(path, buf.Bytes(), 0o600)
}

// Validate reports the first setting that cannot work, in words an IT
// person can act on.
func (c Config) Validate() error {
	if c.ServerURL != "" {
		u, err := url.Parse(c.ServerURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("server_url %q: want an http:// or https:// address", c.ServerURL)
		}
	}
	if _, err := c.RootKeys(); err != nil {
		return err
	}
	if c.Deadline < 50*time.Millisecond || c.Deadline > 30*time.Second {
		return fmt.Errorf("deadline %v: want between 50ms and 30s", c.Deadline)
	}
	if c.Window < time.Second || c.Window > 10*time.Minute {
		return fmt.Errorf("window %v: want between 1s and 10m", c.Window)
	}
	if c.Skew < 0 || c.Skew > 10*time.Minute {
		return fmt.Errorf("skew %v: want between 0s and 10m", c.Skew)
	}
	if c.Mode != OnlineFirst && c.Mode != OfflineFirst {
		return fmt.Errorf("mode %q: want %q or %q", c.Mode, OnlineFirst, OfflineFirst)
	}
	for _, s := range c.Policy.Statuses {
		if s < 1 || s > 255 {
			return fmt.Errorf("policy statuses: %d is not a status (1 vaccinated, 2 recovered, 3 negative test, 4 medical exemption)", s)
		}
	}
	if c.Policy.MinAge < 0 || c.Policy.MaxAge < 0 || (c.Policy.MaxAge != 0 && c.Policy.MaxAge < c.Policy.MinAge) {
		return fmt.Errorf("policy ages %d-%d: want 0 <= min_age <= max_age", c.Policy.MinAge, c.Policy.MaxAge)
	}
	if c.Camera == "" {
		return errors.New(`camera: empty; use "auto", "none", a device such as /dev/video0, "replay:DIR" or "demo:URL"`)
	}
	if c.Resolution != "" {
		if _, _, err := ParseResolution(c.Resolution); err != nil {
			return err
		}
	}
	switch c.Language {
	case "", "ko", "en":
	default:
		return fmt.Errorf("language %q: want ko, en or empty", c.Language)
	}
	if c.RetentionDays < 1 || c.RetentionDays > 3660 {
		return fmt.Errorf("retention_days %d: want between 1 and 3660", c.RetentionDays)
	}
	return nil
}

// RootKeys parses the pinned roots.
func (c Config) RootKeys() ([]ed25519.PublicKey, error) {
	keys := make([]ed25519.PublicKey, 0, len(c.Roots))
	for _, r := range c.Roots {
		k, err := pass.ParseRootKey(r)
		if err != nil {
			return nil, fmt.Errorf("roots: %q: %w", r, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// PassPolicy is the venue policy as pass.Verify takes it.
func (c Config) PassPolicy() pass.Policy {
	var p pass.Policy
	for _, s := range c.Policy.Statuses {
		p.Statuses = append(p.Statuses, pass.Status(s))
	}
	p.MinAge, p.MaxAge = c.Policy.MinAge, c.Policy.MaxAge
	return p
}

// Rules are the freshness rules as pass.Verify takes them.
func (c Config) Rules() pass.Rules {
	return pass.Rules{Window: c.Window, Skew: c.Skew}
}

// ParseResolution parses "WxH".
func ParseResolution(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 160 || h < 120 || w > 7680 || h > 4320 {
		return 0, 0, fmt.Errorf("resolution %q: want WIDTHxHEIGHT such as 1280x720", s)
	}
	return w, h, nil
}

// writeFileAtomic replaces path with b so that a crash leaves either the
// old or the new file, never half of one.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteFileAtomic is writeFileAtomic for the adapters that keep files
// (the list store).
func WriteFileAtomic(path string, b []byte, perm os.FileMode) error {
	return writeFileAtomic(path, b, perm)
}

// LastGoodFile is the name, in the data directory, of the copy of the last
// configuration file that loaded and validated. A kiosk whose configuration
// file is later damaged (a bad edit, a disk fault) runs on this copy rather
// than stopping at the door.
const LastGoodFile = "config.last-good.toml"

// LoadConfigOrLastGood reads the configuration file at path; when it cannot
// be read or parsed, it falls back to the last good copy in dataDir and
// says so in the returned Config's Notices. The error is the file's own
// when there is no good copy to fall back on.
func LoadConfigOrLastGood(path, dataDir string) (Config, error) {
	c, err := LoadConfig(path)
	if err == nil || dataDir == "" {
		return c, err
	}
	good := filepath.Join(dataDir, LastGoodFile)
	if _, serr := os.Stat(good); serr != nil {
		return c, err
	}
	g, gerr := LoadConfig(good)
	if gerr != nil {
		return c, err
	}
	g.Notices = append(g.Notices, fmt.Sprintf("%v; PassDesk is running with the last good configuration (%s). Save the settings to write a new file.", err, good))
	return g, nil
}

// KeepLastGood copies the configuration file at path, which has just
// loaded and validated, to the data directory as the last good copy. A
// missing file (a kiosk configured by flags alone) is left alone.
func KeepLastGood(path, dataDir string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	good := filepath.Join(dataDir, LastGoodFile)
	if old, err := os.ReadFile(good); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	return writeFileAtomic(good, b, 0o600)
}
