package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrations are applied in order of their numeric prefix (0001_init.sql),
// each in its own transaction together with its schema_version row.
//
//go:embed migrations/*.sql
var migrations embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate brings the schema up to date. A read-only ledger is only checked.
func (l *Ledger) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	latest := ms[len(ms)-1].version
	var tables int
	if err := l.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).Scan(&tables); err != nil {
		return fmt.Errorf("storage: opening the ledger: %w", err)
	}
	if tables == 0 && !l.opts.ReadOnly {
		if _, err := l.w.ExecContext(ctx, `CREATE TABLE schema_version (
			version    INTEGER PRIMARY KEY,
			applied_at INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("storage: opening the ledger: %w", err)
		}
	}
	applied, have, err := l.appliedVersions(ctx)
	if err != nil {
		return fmt.Errorf("storage: opening the ledger: %w", err)
	}
	if have > latest {
		return fmt.Errorf("storage: the ledger has schema version %d, newer than this PassDesk knows (%d)", have, latest)
	}
	// Versions are numbered as they are written, not as they land: a
	// ledger may hold a later one without an earlier (a build that had
	// 0005 but not yet 0004), so every missing one is applied, in order.
	var missing []migration
	for _, m := range ms {
		if !applied[m.version] {
			missing = append(missing, m)
		}
	}
	if l.opts.ReadOnly {
		if len(missing) > 0 {
			return fmt.Errorf("storage: the ledger has schema version %d and needs migration %s: open it once in the kiosk", have, missing[0].name)
		}
		return nil
	}
	for _, m := range missing {
		if err := l.apply(ctx, m); err != nil {
			return fmt.Errorf("storage: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// appliedVersions are the schema versions the ledger records, and the
// highest of them (0 for a new ledger).
func (l *Ledger) appliedVersions(ctx context.Context) (map[int]bool, int, error) {
	rows, err := l.w.QueryContext(ctx, `SELECT version FROM schema_version`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	applied, have := map[int]bool{}, 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, 0, err
		}
		applied[v], have = true, max(have, v)
	}
	return applied, have, rows.Err()
}

// apply runs one migration and records it, in one transaction.
func (l *Ledger) apply(ctx context.Context, m migration) error {
	tx, err := l.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
		m.version, l.now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}
