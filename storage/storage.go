// Package storage is PassDesk's visitor ledger: a SQLite file holding every
// scan outcome, manual entry, outage, staff PIN and audit event, with its
// schema and migrations, the hash chain that proves the record unaltered,
// phone encryption, retention purges, the daily review and CSV/PDF exports.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	// The SQLite driver registers itself as "sqlite3".
	_ "github.com/mattn/go-sqlite3"

	"passdesk/app"
)

// The ledger satisfies the engine's ports.
var (
	_ app.Ledger  = (*Ledger)(nil)
	_ app.Records = (*Ledger)(nil)
	_ app.People  = (*Ledger)(nil)
)

// File names inside the ledger's directory.
const (
	DBFile   = "ledger.db"
	PhoneKey = "phone.key"    // AES-256-GCM key for phone numbers, 0600
	VenueKey = "venue.secret" // HMAC key for holder IDs and anchors, 0600
	// secure_delete zeroes what a purge removes, in the pages that keep
	// their other rows and in the pages it frees.
	dbParams   = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=5000&_txlock=immediate&_secure_delete=on"
	readParams = "_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_txlock=deferred&_query_only=1"
	keyLength  = 32
	day        = 24 * time.Hour
	defaultRet = 28 * day
)

// ErrNotRecorded wraps every failure to commit a write (disk full, read-only
// file, invalid entry): the screen shows "not recorded", never a silent loss.
var ErrNotRecorded = errors.New("not recorded")

// ErrCorrupt is returned when a damaged ledger file is opened read-only; a
// writable open moves the file aside instead (see Notices).
var ErrCorrupt = errors.New("the ledger file is damaged")

// Options configure a ledger.
type Options struct {
	Retention time.Duration    // Purge removes entries older than this; default 28 days
	Now       func() time.Time // default time.Now
	VenueID   string           // stamped on entries that carry none
	KioskID   string
	Location  *time.Location // the kiosk's days and hours; default time.Local
	// ReadOnly opens an existing ledger for reading only (verify, summary,
	// export): no migration, no key creation, and every write fails with
	// ErrNotRecorded.
	ReadOnly bool
	// PINMemoryKiB is the argon2id memory cost used when a new ledger is
	// created (default 64 MiB); an existing ledger keeps the cost it was
	// made with.
	PINMemoryKiB uint32
}

// Ledger is the visitor ledger in one directory.
type Ledger struct {
	dir  string
	opts Options
	w    *sql.DB // one connection: every write, serialised
	r    *sql.DB // reads

	phone    phoneCipher
	venueKey []byte
	pin      pinParams

	full unrecorded // what a full disk keeps in memory

	pinMu   sync.Mutex // one argon2id run at a time
	mu      sync.Mutex
	notices []string
}

// Open opens (creating when absent) the ledger in dir. A database file that
// fails SQLite's quick check is moved aside to ledger.db.corrupt-<time> with
// its -wal and -shm files, never written into; a new ledger starts and
// Notices says so.
func Open(dir string, opts Options) (*Ledger, error) {
	if dir == "" {
		return nil, errors.New("storage: no ledger directory given")
	}
	if strings.ContainsAny(dir, "?#") {
		return nil, fmt.Errorf("storage: ledger directory %q must not contain '?' or '#'", dir)
	}
	if opts.Retention <= 0 {
		opts.Retention = defaultRet
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.PINMemoryKiB == 0 {
		opts.PINMemoryKiB = defaultPINMemoryKiB
	}
	l, err := open(dir, opts)
	if err != nil && !opts.ReadOnly && noSpace(err) && releaseReserve(dir) {
		// The disk is full, and opening needs a little space (SQLite's
		// shared-memory index): the space the ledger kept lets it open,
		// so staff can sign in and recording resumes once space is back.
		if l, err = open(dir, opts); err == nil {
			l.notice("the disk is full: the ledger opened in the space it keeps in reserve; free some space on the disk")
		}
	}
	if err == nil && !opts.ReadOnly {
		keepReserve(dir)
	}
	return l, err
}

func open(dir string, opts Options) (*Ledger, error) {
	l := &Ledger{dir: dir, opts: opts}
	path := filepath.Join(dir, DBFile)
	existed, err := l.prepareFile(path)
	if err != nil {
		return nil, err
	}
	if err := l.loadKeys(existed); err != nil {
		return nil, err
	}
	if err := l.openDB(path); err != nil {
		return nil, err
	}
	return l, nil
}

// prepareFile makes the directory, checks an existing database file and
// moves it aside when damaged. It reports whether a usable file was there.
func (l *Ledger) prepareFile(path string) (bool, error) {
	if l.opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return false, fmt.Errorf("storage: no ledger at %s: %w", l.dir, err)
		}
	} else if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return false, fmt.Errorf("storage: %w", err)
	}
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		// Made here with mode 0600 rather than by SQLite with the umask's
		// mode: the file holds visitors' names. The -wal and -shm files
		// SQLite makes take the same mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return false, fmt.Errorf("storage: %w", err)
		}
		return false, f.Close()
	}
	if err != nil {
		return false, fmt.Errorf("storage: %w", err)
	}
	if st.IsDir() {
		return false, fmt.Errorf("storage: %s is a directory, not a ledger file", path)
	}
	if !l.opts.ReadOnly {
		removeStaleKeyFiles(l.dir)
	}
	damage, born, err := checkFile(path, !l.opts.ReadOnly)
	if err != nil {
		return false, err
	}
	if damage == "" {
		// A file without the schema is a first start that was cut short:
		// nothing in it needs the keys, so missing ones are made.
		if !born && l.opts.ReadOnly {
			return false, fmt.Errorf("storage: no ledger at %s yet: start the kiosk once", l.dir)
		}
		return born, nil
	}
	if l.opts.ReadOnly {
		return false, fmt.Errorf("storage: %s: %w (%s)", path, ErrCorrupt, damage)
	}
	moved, err := moveAside(path, l.opts.Now())
	if err != nil {
		return false, err
	}
	l.notice(fmt.Sprintf("the ledger file was damaged (%s) and has been moved aside to %s; a new ledger was started", damage, moved))
	return false, nil
}

func (l *Ledger) openDB(path string) error {
	dsn := path + "?" + dbParams
	if l.opts.ReadOnly {
		dsn += "&_query_only=1"
	}
	w, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite3", path+"?"+readParams)
	if err != nil {
		w.Close()
		return fmt.Errorf("storage: %w", err)
	}
	r.SetMaxOpenConns(4)
	l.w, l.r = w, r
	if err := l.migrate(context.Background()); err != nil {
		l.Close()
		return err
	}
	if err := l.loadPINParams(context.Background()); err != nil {
		l.Close()
		return err
	}
	return nil
}

// Close closes the database.
func (l *Ledger) Close() error {
	var errs []error
	if l.w != nil {
		// A last chance for what a full disk left in memory.
		_ = l.Resume(context.Background())
	}
	if l.r != nil {
		errs = append(errs, l.r.Close())
	}
	if l.w != nil {
		errs = append(errs, l.w.Close())
	}
	return errors.Join(errs...)
}

// Notices returns one-off messages for the manager, such as a damaged
// ledger file moved aside.
func (l *Ledger) Notices() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.notices...)
}

func (l *Ledger) notice(s string) {
	l.mu.Lock()
	l.notices = append(l.notices, s)
	l.mu.Unlock()
}

// Dir is the ledger's directory.
func (l *Ledger) Dir() string { return l.dir }

func (l *Ledger) now() time.Time { return l.opts.Now() }

// dayBounds returns the local day containing t as [start, end), with its
// name (YYYY-MM-DD). A day is 23 or 25 hours long when the clocks change.
func (l *Ledger) dayBounds(t time.Time) (start, end time.Time, name string) {
	t = t.In(l.opts.Location)
	start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, l.opts.Location)
	end = start.AddDate(0, 0, 1)
	return start, end, start.Format(time.DateOnly)
}

// notRecorded wraps a write failure.
func notRecorded(what string, err error) error {
	return fmt.Errorf("storage: %s: %w: %w", what, ErrNotRecorded, err)
}
