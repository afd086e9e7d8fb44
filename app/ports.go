// Package app is the check-in core: scan -> verify -> record -> verdict.
// It imports no Fyne, no SQL and no camera code; the adapters (storage/,
// camera/, the service client) satisfy the small interfaces defined here.
package app

import (
	"context"
	"errors"
	"image"
	"io"
	"time"
)

// Outcome is what happened at the door.
type Outcome string

// Outcomes of a ledger entry.
const (
	Admit     Outcome = "admit"
	Deny      Outcome = "deny"
	Duplicate Outcome = "duplicate"
)

// Method is how a verdict was reached.
type Method string

// Methods of a ledger entry.
const (
	Online  Method = "online"
	Offline Method = "offline"
	Manual  Method = "manual"
)

// ManualReason says why staff recorded a visitor by hand.
type ManualReason string

// Manual entry reasons.
const (
	ReasonOutage           ManualReason = "service_outage"
	ReasonNoPhone          ManualReason = "no_phone"
	ReasonMedicalExemption ManualReason = "medical_exemption"
	ReasonMinor            ManualReason = "minor"
	ReasonOther            ManualReason = "other"
)

// Entry is one ledger row: a scan outcome or a manual entry.
type Entry struct {
	ID      string // unique, made by the engine; the upload idempotency key
	Seq     int64  // ledger position, set by the ledger
	Time    time.Time
	VenueID string
	KioskID string
	Outcome Outcome
	Method  Method
	Reason  string // a pass reason code for scans, "manual" for manual entries

	// Scan fields.
	Scheme string // "PD1", "HC1"
	Issuer string
	Status int
	Name   string // the masked name the pass shows
	CID    []byte // credential ID (the authority issued it; revocation names it)
	Sub    []byte // raw holder ID; the ledger stores only its keyed hash
	// Rule is the business rule a rules_failed pass failed, "ID@Version"
	// (pass.FailedRule.Ref); "" for any other reason.
	Rule string
	// Key names the presentation by what it signs (an HC1 text by its
	// hash): the duplicate memory's key, kept for admitted scans so a
	// restarted kiosk still knows them.
	Key []byte

	// Manual entry fields.
	VisitorName  string
	Phone        string // plain text in memory; encrypted at rest
	ManualReason ManualReason
	Staff        string
	Note         string

	OutageID  int64  // the outage the entry falls in, 0 when none
	Corrects  string // ID of the entry this one corrects, "" when none
	Uploaded  bool   // reached the central register
	PhoneMask string // set by the ledger when reading: "010-****-5678"
}

// Outage is a period when the authority's service could not be used.
type Outage struct {
	ID    int64
	Start time.Time
	End   time.Time // zero while ongoing
	Cause string
	// Stopped: the kiosk stopped before the service came back, and End is
	// when it stopped, or, for a kiosk killed, the last thing it recorded
	// during the outage (it may have lasted longer).
	Stopped bool
}

// Ledger is the durable record the engine writes to.
type Ledger interface {
	// Record commits e durably and returns it with its Seq; a scan is shown
	// as admitted only after Record returns nil.
	Record(ctx context.Context, e Entry) (Entry, error)
	OpenOutage(ctx context.Context, start time.Time, cause string) (int64, error)
	CloseOutage(ctx context.Context, id int64, end time.Time) error
	// EndStoppedOutages ends the open outages, marked Stopped, and returns
	// how many: at at, when this run stops during one; with at zero, those
	// an earlier run left open, each at the last entry recorded during it
	// (its start when none).
	EndStoppedOutages(ctx context.Context, at time.Time) (int, error)
	// PendingUploads returns entries not yet in the central register,
	// oldest first.
	PendingUploads(ctx context.Context, limit int) ([]Entry, error)
	MarkUploaded(ctx context.Context, ids []string, at time.Time) error
	// Purge removes the rows past the retention as of now, keeping the
	// chain verifiable, and returns how many went.
	Purge(ctx context.Context, now time.Time) (int, error)
	// Newest is the time of the newest row, zero for an empty ledger: a
	// trusted time the kiosk never verifies before.
	Newest(ctx context.Context) (time.Time, error)
	// Notices are the ledger's one-off messages for the manager (a
	// damaged file moved aside).
	Notices() []string
	// RecentAdmissions returns the scans admitted at or after since, with
	// their Key, oldest first, leaving out those a correction superseded:
	// the duplicate memory rebuilt at start.
	RecentAdmissions(ctx context.Context, since time.Time) ([]Entry, error)
	// Unrecorded is the current period in which nothing can be written
	// for lack of space; its Since is zero when writing works.
	Unrecorded() Unrecorded
	// Resume writes what such a period kept in memory and the period's
	// own event, once there is space again; nil when nothing is pending.
	Resume(ctx context.Context) error
}

// Unrecorded is a period in which the ledger cannot write for lack of
// space: since when, and what was not recorded. Sign-in still works in it
// (it only reads); staff take paper notes until recording resumes.
type Unrecorded struct {
	Since   time.Time // zero when writing works
	Last    time.Time // the latest refused write
	Entries int       // entries (scans, manual entries) not recorded
	Writes  int       // all refused writes, entries included
	Queued  int       // audit rows kept in memory, written once space is back
}

// ConfigStore keeps the kiosk's configuration when a manager saves it.
type ConfigStore interface {
	// Save replaces the stored configuration whole, atomically.
	Save(ctx context.Context, c Config) error
}

// DaySummary is a day's review at a glance.
type DaySummary struct {
	Day       string // YYYY-MM-DD, local time
	Total     int
	ByOutcome map[Outcome]int
	ByMethod  map[Method]int
	ByReason  map[string]int
	Hourly    [24]int // admitted visitors per local hour
	Outages   []Outage
	Manual    int
	// Unreadable counts the scans whose text was no pass at all (malformed,
	// unsupported format): nothing was checked, so ByMethod leaves them out.
	Unreadable int
}

// Filter selects ledger entries for review.
type Filter struct {
	Day     time.Time // local day
	Outcome Outcome   // "" for all
	Method  Method    // "" for all
	Query   string    // name substring
	Offset  int
	Limit   int
}

// Role is what a signed-in person may do.
type Role string

// Roles.
const (
	Staff   Role = "staff"
	Manager Role = "manager"
)

// Person is a staff member or manager.
type Person struct {
	ID     int64
	Name   string
	Role   Role
	Active bool
}

// Records is the manager's view of the ledger.
type Records interface {
	Summary(ctx context.Context, day time.Time) (DaySummary, error)
	// List returns the filtered entries of a day, newest first.
	List(ctx context.Context, f Filter) (entries []Entry, total int, err error)
	// Export writes the day as "csv" or "pdf".
	Export(ctx context.Context, day time.Time, format string, w io.Writer) error
	// RevealPhone returns a manual entry's phone number whole (managers only).
	RevealPhone(ctx context.Context, entryID string) (string, error)
}

// People signs staff in and manages them.
type People interface {
	// SignIn finds the active person whose PIN this is; ErrBadPIN when
	// nobody's. How often one may try is the engine's rule.
	SignIn(ctx context.Context, pin string) (Person, error)
	// SavePINFailures and LoadPINFailures keep the PIN guard's counts
	// across restarts.
	SavePINFailures(ctx context.Context, at Prompt, f PINFailures) error
	LoadPINFailures(ctx context.Context) (map[Prompt]PINFailures, error)
	AddPerson(ctx context.Context, name string, role Role, pin string) (Person, error)
	SetPIN(ctx context.Context, id int64, pin string) error
	Deactivate(ctx context.Context, id int64) error
	ListPeople(ctx context.Context) ([]Person, error)
	// Audit records a sign-in, export, purge or settings change.
	Audit(ctx context.Context, actor, action, detail string) error
}

// Errors the UI maps to words.
var (
	ErrBadPIN     = errors.New("wrong PIN")
	ErrLockedOut  = errors.New("too many wrong PINs: try again later")
	ErrNotFound   = errors.New("not found")
	ErrNotAllowed = errors.New("not allowed")
)

// CameraState is what the status bar shows about the frame source.
type CameraState string

// Camera states.
const (
	CameraOK           CameraState = "ok"
	CameraNone         CameraState = "none"         // no camera configured or found
	CameraDisconnected CameraState = "disconnected" // unplugged; reconnecting
)

// Scanner turns a frame source into QR texts, and gives the UI a preview.
// camera.Scanner satisfies it; keyboard-wedge text reaches the engine
// through Engine.Scan directly.
type Scanner interface {
	// Texts delivers each decoded QR text once (the same text is not
	// repeated within a few seconds).
	Texts() <-chan string
	// Preview returns the newest preview frame, nil when there is none.
	Preview() image.Image
	State() CameraState
	// Pause stops decoding (while a verdict is shown) without closing.
	Pause(paused bool)
	Close() error
}
