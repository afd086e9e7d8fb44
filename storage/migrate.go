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
	var have int
	if err := l.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("storage: opening the ledger: %w", err)
	}
	if have > latest {
		return fmt.Errorf("storage: the ledger has schema version %d, newer than this PassDesk knows (%d)", have, latest)
	}
	if l.opts.ReadOnly {
		if have < latest {
			return fmt.Errorf("storage: the ledger has schema version %d and needs migrating to %d: open it once in the kiosk", have, latest)
		}
		return nil
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		if err := l.apply(ctx, m); err != nil {
			return fmt.Errorf("storage: migration %s: %w", m.name, err)
		}
	}
	return nil
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
