package app

import (
	"time"

	"passdesk/pass"
)

// Result is what the kiosk shows after a scan: the committed ledger entry
// and the verdict behind it.
type Result struct {
	Entry    Entry        // the ledger entry (Outcome, Method, Reason, Name, ...)
	Verdict  pass.Verdict // the verification behind it
	Recorded bool         // false when the ledger write failed: show "not recorded"
	Err      error        // why it was not recorded
	Alert    bool         // a later correction raised to staff (offline-first revoked)
	Took     time.Duration
}

// Status is what the status bar shows.
type Status struct {
	Online           bool      // the service answers and the breaker is closed
	OutageSince      time.Time // zero when online
	OutageCause      string
	TrustListAt      time.Time // iat of the trust list held, zero when none
	TrustListStale   bool
	RevocationsStale bool // absent or stale revocation list
	ClockOffset      time.Duration
	ClockWarning     bool // |offset| > skew
	// ClockBehind: the kiosk's clock is behind the latest trusted time by
	// more than the skew; scans are verified at TrustedTime.
	ClockBehind bool
	TrustedTime time.Time
	Camera      CameraState
	Pending     int // entries waiting to upload
	// Unrecorded: nothing can be written for lack of space since
	// Unrecorded.Since (zero when writing works); staff take paper notes.
	Unrecorded Unrecorded
	Notices    []Notice // one-off messages for the manager (e.g. a corrupt ledger moved aside, a forged list refused)
}

// Modes of verification.
const (
	OnlineFirst  = "online-first"
	OfflineFirst = "offline-first"
)

// PolicyConfig is the venue policy as the config file writes it.
type PolicyConfig struct {
	Statuses []int `toml:"statuses"` // empty: 1-4
	MinAge   int   `toml:"min_age"`
	MaxAge   int   `toml:"max_age"`
}

// Config is the kiosk configuration (a TOML file; flags override it).
type Config struct {
	ServerURL     string        `toml:"server_url"`
	Roots         []string      `toml:"roots"` // pinned root public keys, base64url
	VenueID       string        `toml:"venue_id"`
	KioskID       string        `toml:"kiosk_id"`
	Deadline      time.Duration `toml:"deadline"`
	Window        time.Duration `toml:"window"`
	Skew          time.Duration `toml:"skew"`
	Mode          string        `toml:"mode"`
	Policy        PolicyConfig  `toml:"policy"`
	Camera        string        `toml:"camera"`     // auto, none, /dev/videoN, replay:DIR, demo:URL
	Resolution    string        `toml:"resolution"` // WxH, default 1280x720
	Language      string        `toml:"language"`   // ko, en; empty follows the system
	RetentionDays int           `toml:"retention_days"`
	Sounds        bool          `toml:"sounds"`
	DCCTrust      string        `toml:"dcc_trust"` // HC1 document signer list, optional
	// ServerCA is a PEM file of the CA (or the certificate itself) that
	// the service's certificate must chain to; empty uses the system roots.
	ServerCA string `toml:"server_ca"`
	// CredentialFile holds this kiosk's bearer token from `passd kiosk add`
	// (mode 0600); empty sends none.
	CredentialFile string `toml:"credential_file"`
	// Timing is the [engine] section: probe, upload and retry timings for
	// the IT person; zero fields take the defaults (DefaultTiming).
	Timing  Timing `toml:"engine"`
	DataDir string `toml:"-"`
	// Notices are problems met while loading the configuration (a damaged
	// file replaced by the last good one), shown to the manager.
	Notices    []Notice `toml:"-"`
	ConfigFile string   `toml:"-"` // where SaveConfig writes; empty refuses

	// HC1 business rules and revocation, beside dcc_trust (see dcc.Files).
	DCCRules       string `toml:"dcc_rules"`       // rule file or folder; "" the built-in rules, "off" none
	DCCValueSets   string `toml:"dcc_valuesets"`   // eHN value sets the rules read, optional
	DCCCountry     string `toml:"dcc_country"`     // country of arrival whose rules apply; "" is EU
	DCCRevocations string `toml:"dcc_revocations"` // HC1 revocation list, optional
}
