// Package configfile keeps the kiosk's configuration in a TOML file: it
// reads it over the defaults, writes it atomically when a manager saves the
// settings, and keeps a last good copy so that a damaged file never stops
// the kiosk at the door. It is the adapter behind app.ConfigStore.
package configfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"passdesk/app"
	"passdesk/internal/atomicfile"
)

// LastGoodFile is the name, in the data directory, of the copy of the last
// configuration file that loaded and validated. A kiosk whose configuration
// file is later damaged (a bad edit, a disk fault) runs on this copy rather
// than stopping at the door.
const LastGoodFile = "config.last-good.toml"

// Store is the configuration file at Path.
type Store struct{ Path string }

var _ app.ConfigStore = Store{}

// Save writes c to the file atomically.
func (s Store) Save(_ context.Context, c app.Config) error {
	if s.Path == "" {
		return app.ErrNoConfigFile
	}
	return Write(s.Path, c)
}

// Load reads a TOML configuration file over the defaults. A missing file
// is not an error: the defaults are returned. Durations are written as
// strings ("800ms", "15s").
func Load(path string) (app.Config, error) {
	c := app.DefaultConfig()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return app.DefaultConfig(), fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return app.DefaultConfig(), fmt.Errorf("config %s: unknown settings: %s", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// Write writes c as TOML to path atomically, readable by its owner only.
func Write(path string, c app.Config) error {
	var buf bytes.Buffer
	buf.WriteString("# PassDesk kiosk configuration\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o600)
}

// LoadOrLastGood reads the configuration file at path; when it cannot be
// read or parsed, it falls back to the last good copy in dataDir and says
// so in the returned Config's Notices. The error is the file's own when
// there is no good copy to fall back on.
func LoadOrLastGood(path, dataDir string) (app.Config, error) {
	c, err := Load(path)
	if err == nil || dataDir == "" {
		return c, err
	}
	good := filepath.Join(dataDir, LastGoodFile)
	if _, serr := os.Stat(good); serr != nil {
		return c, err
	}
	g, gerr := Load(good)
	if gerr != nil {
		return c, err
	}
	g.Notices = append(g.Notices, app.Notice{Code: app.NoticeConfigLastGood, Detail: fmt.Sprintf("%v (%s)", err, good)})
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
	return atomicfile.Write(good, b, 0o600)
}
