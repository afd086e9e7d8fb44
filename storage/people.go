package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/argon2"

	"passdesk/app"
)

// PIN hashing: argon2id sized for a kiosk PC (one pass over 64 MiB on two
// threads). All PINs of a ledger share one random salt, kept in meta with
// the cost it was made with: PINs are unique among active people, so one
// argon2id run per attempt finds who is signing in, whatever the staff size.
const (
	defaultPINMemoryKiB = 64 * 1024
	pinTime             = 1
	pinThreads          = 2
	pinKeyLen           = 32
)

// ErrPINInUse is returned when a new PIN equals an active person's PIN.
var ErrPINInUse = app.ErrPINInUse

type pinParams struct {
	salt    []byte
	time    uint32
	memory  uint32
	threads uint8
}

func (p pinParams) String() string {
	return fmt.Sprintf("t=%d,m=%d,p=%d", p.time, p.memory, p.threads)
}

func parsePINParams(s string) (pinParams, error) {
	var p pinParams
	var t, m, th uint64
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("bad PIN parameters %q", s)
		}
		switch k {
		case "t":
			t = n
		case "m":
			m = n
		case "p":
			th = n
		}
	}
	if t == 0 || m < 8 || th == 0 || th > 255 {
		return p, fmt.Errorf("bad PIN parameters %q", s)
	}
	return pinParams{time: uint32(t), memory: uint32(m), threads: uint8(th)}, nil
}

// loadPINParams reads the ledger's PIN salt and cost, making them the first
// time.
func (l *Ledger) loadPINParams(ctx context.Context) error {
	var n int
	if err := l.r.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key IN ('pin_salt', 'pin_params')`).Scan(&n); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	// Written only when missing, so an up-to-date ledger opens without a
	// write: a read-only file then opens, and each write reports
	// ErrNotRecorded.
	if n < 2 && !l.opts.ReadOnly {
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		p := pinParams{time: pinTime, memory: l.opts.PINMemoryKiB, threads: pinThreads}
		if _, err := l.w.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('pin_salt', ?), ('pin_params', ?)`,
			salt, p.String()); err != nil {
			return fmt.Errorf("storage: %w", err)
		}
	}
	var salt []byte
	var params string
	if err := l.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'pin_salt'`).Scan(&salt); err != nil {
		return fmt.Errorf("storage: reading the PIN salt: %w", err)
	}
	if err := l.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'pin_params'`).Scan(&params); err != nil {
		return fmt.Errorf("storage: reading the PIN parameters: %w", err)
	}
	p, err := parsePINParams(params)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	p.salt = salt
	l.pin = p
	return nil
}

// hashPIN runs argon2id; one at a time, so concurrent attempts cannot
// multiply its memory.
func (l *Ledger) hashPIN(pin string) []byte {
	l.pinMu.Lock()
	defer l.pinMu.Unlock()
	return argon2.IDKey([]byte(pin), l.pin.salt, l.pin.time, l.pin.memory, l.pin.threads, pinKeyLen)
}

// SignIn finds the active person whose PIN this is, app.ErrBadPIN when
// nobody's. How often one may try is the engine's rule (app's PIN guard),
// which keeps its counts here through SavePINFailures.
func (l *Ledger) SignIn(ctx context.Context, pin string) (app.Person, error) {
	if app.ValidatePIN(pin) != nil {
		return app.Person{}, app.ErrBadPIN
	}
	h := l.hashPIN(pin)
	var p app.Person
	err := l.r.QueryRowContext(ctx, `SELECT id, name, role, active FROM people WHERE pin_hash = ? AND active = 1`, h).
		Scan(&p.ID, &p.Name, &p.Role, &p.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Person{}, app.ErrBadPIN
	}
	if err != nil {
		return app.Person{}, fmt.Errorf("storage: %w", err)
	}
	return p, nil
}

const pinFailuresKey = "pin_failures:"

// SavePINFailures keeps a prompt's failure count across restarts.
func (l *Ledger) SavePINFailures(ctx context.Context, at app.Prompt, f app.PINFailures) error {
	err := l.write(ctx, func(tx *sql.Tx) error { return putPINFailures(ctx, tx, at, f) })
	if noSpace(err) {
		// Written once space is back (see full.go); the guard counts on.
		l.queuePINFailures(at, f)
		return nil
	}
	if err != nil {
		return notRecorded("PIN failures", err)
	}
	return nil
}

func putPINFailures(ctx context.Context, tx *sql.Tx, at app.Prompt, f app.PINFailures) error {
	v := strconv.Itoa(f.Count) + "," + strconv.FormatInt(f.Last.UnixNano(), 10)
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, pinFailuresKey+string(at), v)
	return err
}

// LoadPINFailures reads the failure counts kept by SavePINFailures.
func (l *Ledger) LoadPINFailures(ctx context.Context) (map[app.Prompt]app.PINFailures, error) {
	rows, err := l.r.QueryContext(ctx, `SELECT key, CAST(value AS TEXT) FROM meta WHERE key LIKE 'pin_failures:%'`)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	defer rows.Close()
	out := map[app.Prompt]app.PINFailures{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
		c, last, _ := strings.Cut(v, ",")
		n, err1 := strconv.Atoi(c)
		ns, err2 := strconv.ParseInt(last, 10, 64)
		if err1 != nil || err2 != nil {
			continue // a damaged count is forgotten, not fatal
		}
		out[app.Prompt(strings.TrimPrefix(k, pinFailuresKey))] = app.PINFailures{Count: n, Last: time.Unix(0, ns)}
	}
	return out, rows.Err()
}

func validPerson(name string, role app.Role) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("a person needs a name")
	}
	if len(name) > 100 {
		return errors.New("a name has at most 100 bytes")
	}
	if role != app.Staff && role != app.Manager {
		return fmt.Errorf("unknown role %q (staff or manager)", role)
	}
	return nil
}

func pinConflict(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return fmt.Errorf("%w: %w", ErrPINInUse, app.ErrNotAllowed)
	}
	return err
}

// AddPerson adds an active staff member or manager. The PIN (4 to 12
// digits) must not be an active person's PIN already.
func (l *Ledger) AddPerson(ctx context.Context, name string, role app.Role, pin string) (app.Person, error) {
	name = strings.TrimSpace(name)
	if err := validPerson(name, role); err != nil {
		return app.Person{}, err
	}
	if err := app.ValidatePIN(pin); err != nil {
		return app.Person{}, err
	}
	h := l.hashPIN(pin)
	now := l.now()
	p := app.Person{Name: name, Role: role, Active: true}
	err := l.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO people (name, role, active, pin_hash, created_at) VALUES (?, ?, 1, ?, ?)`,
			name, string(role), h, now.UnixNano())
		if err != nil {
			return pinConflict(err)
		}
		p.ID, err = res.LastInsertId()
		return err
	})
	if errors.Is(err, ErrPINInUse) {
		return app.Person{}, err
	}
	if err != nil {
		return app.Person{}, notRecorded("add person", err)
	}
	return p, nil
}

// SetPIN changes an active person's PIN.
func (l *Ledger) SetPIN(ctx context.Context, id int64, pin string) error {
	if err := app.ValidatePIN(pin); err != nil {
		return err
	}
	h := l.hashPIN(pin)
	err := l.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE people SET pin_hash = ? WHERE id = ? AND active = 1`, h, id)
		if err != nil {
			return pinConflict(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("active person %d: %w", id, app.ErrNotFound)
		}
		return nil
	})
	if errors.Is(err, ErrPINInUse) || errors.Is(err, app.ErrNotFound) {
		return err
	}
	if err != nil {
		return notRecorded("set PIN", err)
	}
	return nil
}

// Deactivate stops a person signing in. The last active manager cannot be
// deactivated (app.ErrNotAllowed): nobody could manage the kiosk.
func (l *Ledger) Deactivate(ctx context.Context, id int64) error {
	err := l.write(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM people WHERE id = ? AND active = 1`, id).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("active person %d: %w", id, app.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if role == string(app.Manager) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE role = 'manager' AND active = 1`).Scan(&n); err != nil {
				return err
			}
			if n <= 1 {
				return fmt.Errorf("the last manager cannot be deactivated: %w", app.ErrNotAllowed)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE people SET active = 0 WHERE id = ?`, id)
		return err
	})
	if errors.Is(err, app.ErrNotAllowed) || errors.Is(err, app.ErrNotFound) {
		return err
	}
	if err != nil {
		return notRecorded("deactivate", err)
	}
	return nil
}

// ListPeople returns everyone, active or not, in the order they were added.
func (l *Ledger) ListPeople(ctx context.Context) ([]app.Person, error) {
	rows, err := l.r.QueryContext(ctx, `SELECT id, name, role, active FROM people ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	defer rows.Close()
	var out []app.Person
	for rows.Next() {
		var p app.Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Role, &p.Active); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// HasManager reports whether an active manager exists; a fresh ledger has
// none, and first-run setup asks for one.
func (l *Ledger) HasManager(ctx context.Context) (bool, error) {
	var ok bool
	err := l.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE role = 'manager' AND active = 1)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("storage: %w", err)
	}
	return ok, nil
}

// Audit records a sign-in, export, purge or settings change in the chained
// audit trail.
func (l *Ledger) Audit(ctx context.Context, actor, action, detail string) error {
	if strings.TrimSpace(action) == "" {
		return errors.New("storage: an audit event needs an action")
	}
	if len(actor) > maxField || len(action) > maxField || len(detail) > 4*maxField {
		return errors.New("storage: audit event too long")
	}
	now := l.now()
	err := l.write(ctx, func(tx *sql.Tx) error { return l.appendAudit(ctx, tx, now, actor, action, detail) })
	if noSpace(err) {
		// Written, with its time, once space is back (see full.go).
		l.queueAudit(now, actor, action, detail)
		return nil
	}
	if err != nil {
		return notRecorded("audit", err)
	}
	return nil
}

func (l *Ledger) appendAudit(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, detail string) error {
	r := auditRow{at: at.UTC().UnixNano(), actor: actor, action: action, detail: detail}
	var err error
	if r.seq, r.prevHash, err = l.nextLink(ctx, tx, "audit"); err != nil {
		return err
	}
	r.hash = r.sum()
	if _, err = tx.ExecContext(ctx, `INSERT INTO audit (`+chainColumns["audit"]+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.seq, r.prevHash, r.hash, r.at, r.actor, r.action, r.detail); err != nil {
		return err
	}
	return l.setHead(ctx, tx, "audit", r.seq, r.hash)
}
