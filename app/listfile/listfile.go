// Package listfile keeps the kiosk's last good signed lists (trust list,
// revocation list) as files in the data directory, so a kiosk that starts
// during an outage can still verify offline. It satisfies app.ListStore.
package listfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"passdesk/app"
	"passdesk/internal/atomicfile"
)

// Store keeps the lists in one directory: KIND.cose and KIND.etag.
type Store struct {
	dir string
}

var _ app.ListStore = (*Store)(nil)

// Open makes the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Path is the file a list is kept in.
func (s *Store) Path(kind app.ListKind) string {
	return filepath.Join(s.dir, string(kind)+".cose")
}

// Load returns a stored list; app.ErrNotFound when there is none.
func (s *Store) Load(kind app.ListKind) (app.ListDoc, error) {
	if err := check(kind); err != nil {
		return app.ListDoc{}, err
	}
	doc, err := os.ReadFile(s.Path(kind))
	if errors.Is(err, os.ErrNotExist) {
		return app.ListDoc{}, app.ErrNotFound
	}
	if err != nil {
		return app.ListDoc{}, err
	}
	etag, err := os.ReadFile(s.etagPath(kind))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return app.ListDoc{}, err
	}
	return app.ListDoc{Doc: doc, ETag: strings.TrimSpace(string(etag))}, nil
}

// Save replaces a stored list atomically. The ETag is written first: a
// crash between the two leaves an ETag that matches no list, which only
// costs one full fetch.
func (s *Store) Save(kind app.ListKind, d app.ListDoc) error {
	if err := check(kind); err != nil {
		return err
	}
	if err := atomicfile.Write(s.etagPath(kind), []byte(d.ETag+"\n"), 0o600); err != nil {
		return err
	}
	return atomicfile.Write(s.Path(kind), d.Doc, 0o600)
}

func (s *Store) etagPath(kind app.ListKind) string {
	return filepath.Join(s.dir, string(kind)+".etag")
}

func check(kind app.ListKind) error {
	if kind != app.TrustListKind && kind != app.RevocationsKind {
		return fmt.Errorf("lists: unknown list %q", kind)
	}
	return nil
}
