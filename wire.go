package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passdesk/app"
	"passdesk/app/configfile"
	"passdesk/app/listfile"
	"passdesk/app/remote"
	"passdesk/camera"
	"passdesk/pass"
	"passdesk/pass/dcc"
	"passdesk/storage"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// kioskFlags declares the flags the window and `run --headless` share and
// returns the function that, after fs.Parse, reads the configuration file
// and lays the flags that were given over it.
func kioskFlags(fs *flag.FlagSet) (load func() (app.Config, error)) {
	file := fs.String("config", defaultConfigFile(), "configuration `file` (TOML)")
	data := fs.String("data", defaultDataDir(), "data `directory`: ledger, keys, signed lists")
	// set lays each flag given over the file's setting.
	set := map[string]func(*app.Config){}
	str := func(name, usage string, to func(c *app.Config, v string)) {
		v := fs.String(name, "", usage)
		set[name] = func(c *app.Config) { to(c, *v) }
	}
	str("server", "authority service `URL`: https://, or http:// to this machine only", func(c *app.Config, v string) { c.ServerURL = v })
	str("server-ca", "PEM `file` of the CA (or certificate) the service's certificate must chain to", func(c *app.Config, v string) { c.ServerCA = v })
	str("credential-file", "`file` (mode 0600) holding this kiosk's token from passd kiosk add", func(c *app.Config, v string) { c.CredentialFile = v })
	str("camera", "frame `source`: auto, none, stdin, /dev/videoN, replay:DIR[@FPS], demo:URL", func(c *app.Config, v string) { c.Camera = v })
	str("venue", "venue `ID`", func(c *app.Config, v string) { c.VenueID = v })
	str("kiosk", "kiosk `ID`", func(c *app.Config, v string) { c.KioskID = v })
	str("mode", "verification `mode`: online-first or offline-first", func(c *app.Config, v string) { c.Mode = v })
	str("lang", "`language`: ko or en", func(c *app.Config, v string) { c.Language = v })
	var roots stringList
	fs.Var(&roots, "root", "pinned root public `key`, base64url without padding (repeatable)")
	set["root"] = func(c *app.Config) { c.Roots = roots }
	deadline := fs.Duration("deadline", 0, "online verification `deadline`, such as 800ms")
	set["deadline"] = func(c *app.Config) { c.Deadline = *deadline }
	return func() (app.Config, error) {
		cfg, err := configfile.LoadOrLastGood(*file, *data)
		if err != nil {
			return cfg, err
		}
		cfg.ConfigFile, cfg.DataDir = *file, *data
		fs.Visit(func(f *flag.Flag) {
			if to, ok := set[f.Name]; ok {
				to(&cfg)
			}
		})
		return finishConfig(cfg)
	}
}

// finishConfig fills what the file and flags left open, validates, and
// keeps a copy of a file that loaded cleanly.
func finishConfig(cfg app.Config) (app.Config, error) {
	if cfg.DataDir == "" {
		return cfg, errors.New("no data directory: pass --data DIR")
	}
	if cfg.KioskID == "" {
		if h, err := os.Hostname(); err == nil {
			cfg.KioskID = h
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if len(cfg.Notices) == 0 {
		if err := configfile.KeepLastGood(cfg.ConfigFile, cfg.DataDir); err != nil {
			cfg.Notices = append(cfg.Notices, app.Notice{Code: app.NoticeConfigNotKept, Detail: err.Error()})
		}
	}
	return cfg, nil
}

// xdgDir is an XDG base directory: the variable's value, or else the
// given folder under the home directory.
func xdgDir(variable string, underHome ...string) (string, error) {
	if dir := os.Getenv(variable); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{home}, underHome...)...), nil
}

func defaultConfigFile() string {
	dir, err := xdgDir("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "passdesk", "config.toml")
}

func defaultDataDir() string {
	dir, err := xdgDir("XDG_DATA_HOME", ".local", "share")
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "passdesk")
}

// cameraStdin is the --camera value for keyboard-wedge input on stdin.
const cameraStdin = "stdin"

// kiosk is an engine with its adapters, opened the same way for the
// window and for `run --headless`.
type kiosk struct {
	Engine  *app.Engine
	Scanner app.Scanner // nil for --camera stdin
	Ledger  *storage.Ledger
	// Events hears of outages and list changes; events nobody reads are
	// dropped once it is full.
	Events <-chan app.Event
	client *remote.Client
	cam    *camera.Scanner
	lock   *os.File // the hold on the data directory (see lockData)
}

// openKiosk opens storage, the list store, the service client, the
// scanner and the HC1 scheme when configured, and the engine. A dead
// camera or server is a state the kiosk shows, not an error here; a ledger
// that cannot be opened is.
func openKiosk(ctx context.Context, cfg app.Config) (*kiosk, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	lock, err := lockData(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	events := make(chan app.Event, 64)
	k := &kiosk{Events: events, lock: lock}
	k.Ledger, err = storage.Open(cfg.DataDir, storage.Options{
		Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		VenueID:   cfg.VenueID, KioskID: cfg.KioskID,
	})
	if err != nil {
		k.Close()
		return nil, fmt.Errorf("%w: %w", errLedger, err)
	}
	lists, err := listfile.Open(filepath.Join(cfg.DataDir, "lists"))
	if err != nil {
		k.Close()
		return nil, err
	}
	d := app.Deps{Ledger: k.Ledger, Records: k.Ledger, People: k.Ledger, Lists: lists,
		Config: configfile.Store{Path: cfg.ConfigFile},
		Events: func(ev app.Event) {
			select {
			case events <- ev:
			default:
			}
		}}
	if cfg.ServerURL != "" {
		// An unreadable CA or credential file is a setting to fix, not a
		// reason to keep the door shut: the kiosk runs offline and says so.
		k.client, err = remote.New(cfg.ServerURL, remote.Options{ServerCA: cfg.ServerCA, CredentialFile: cfg.CredentialFile})
		if err != nil {
			cfg.Notices = append(cfg.Notices, app.Notice{Code: app.NoticeServiceConfig, Detail: err.Error()})
		} else {
			d.Service = k.client
		}
	}
	if cfg.DCCTrust != "" {
		s, _, err := dcc.Load(dcc.Files{Trust: cfg.DCCTrust, Rules: cfg.DCCRules, ValueSets: cfg.DCCValueSets,
			Country: cfg.DCCCountry, Revocations: cfg.DCCRevocations})
		if err != nil {
			k.Close()
			return nil, fmt.Errorf("HC1: %w", err)
		}
		d.Schemes = []pass.Scheme{s}
	}
	if cfg.Camera != cameraStdin {
		opts := camera.Options{}
		if cfg.Resolution != "" {
			opts.Width, opts.Height, _ = app.ParseResolution(cfg.Resolution)
		}
		if k.cam, err = camera.NewScanner(cfg.Camera, opts); err != nil {
			k.Close()
			return nil, fmt.Errorf("camera %q: %w", cfg.Camera, err)
		}
		k.Scanner, d.Scanner = k.cam, k.cam
	}
	if k.Engine, err = app.New(cfg, d); err != nil {
		k.Close()
		return nil, err
	}
	k.Engine.Start(ctx)
	return k, nil
}

// Close stops the engine and closes the adapters.
func (k *kiosk) Close() error {
	var errs []error
	if k.Engine != nil {
		errs = append(errs, k.Engine.Close())
	}
	if k.cam != nil {
		errs = append(errs, k.cam.Close())
	}
	if k.client != nil {
		errs = append(errs, k.client.Close())
	}
	if k.Ledger != nil {
		errs = append(errs, k.Ledger.Close())
	}
	if k.lock != nil {
		errs = append(errs, unlockData(k.lock)) // last
	}
	return errors.Join(errs...)
}
