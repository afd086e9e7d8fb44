package authority

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"passdesk/cmd/passd/store"
	"passdesk/cmd/passd/store/postgres"
	"passdesk/cmd/passd/store/sqlite"
)

// openPostgres opens the shared database and, the first time, gives it
// the issuer keys that passd init recorded in dir: the key files stay in
// dir (every node gets a copy), their public halves and validity go into
// the database that every node reads.
func openPostgres(dir, url string) (store.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := seedIssuerKeys(ctx, dir, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func seedIssuerKeys(ctx context.Context, dir string, s store.Store) error {
	if _, err := s.CurrentIssuerKey(ctx); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	path := filepath.Join(dir, dbFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("the database has no issuer key and %s has no %s to take one from: run passd init --data %s first", dir, dbFile, dir)
	}
	local, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer local.Close()
	snap, err := local.TrustState(ctx, 0)
	if err != nil {
		return err
	}
	cur, err := local.CurrentIssuerKey(ctx)
	if err != nil {
		return fmt.Errorf("%s has no current issuer key: run passd init --data %s first: %w", path, dir, err)
	}
	keys := []store.IssuerKey{}
	for _, k := range snap.Keys {
		if k.Kid != cur.Kid {
			k.Current = false
			keys = append(keys, k)
		}
	}
	// The current key last: adding it makes it the only current one.
	for _, k := range append(keys, cur) {
		if _, err := os.Stat(filepath.Join(dir, issuerKeyFile(k.Kid))); err != nil {
			return fmt.Errorf("issuer key %x: %w", k.Kid, err)
		}
		if err := s.AddIssuerKey(ctx, k); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return nil
}
