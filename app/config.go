package app

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

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
		Timing:        DefaultTiming(),
	}
}

// Validate reports the first setting that cannot work, in words an IT
// person can act on.
func (c Config) Validate() error {
	if err := CheckServerURL(c.ServerURL); err != nil {
		return err
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
	return c.Timing.Validate()
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

// ParseWxH reads "WIDTHxHEIGHT"; each caller checks its own bounds.
func ParseWxH(s string) (w, h int, ok bool) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	return w, h, ok && err1 == nil && err2 == nil
}

// ParseResolution parses a camera resolution "WxH".
func ParseResolution(s string) (w, h int, err error) {
	w, h, ok := ParseWxH(s)
	if !ok || w < 160 || h < 120 || w > 7680 || h > 4320 {
		return 0, 0, fmt.Errorf("resolution %q: want WIDTHxHEIGHT such as 1280x720", s)
	}
	return w, h, nil
}

// CheckServerURL is the rule for the service's address: https://, or
// plain http:// only to this machine (a demo, a test), since anyone on the
// network path of a plain link could answer for the service.
func CheckServerURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("server_url %q: want an https:// address", s)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("server_url %q: plain http:// is only for this machine (127.0.0.1, ::1, localhost); use https:// so that nobody on the network can answer for the service", s)
	}
	return nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
