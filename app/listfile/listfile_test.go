package listfile_test

import (
	"errors"
	"path/filepath"
	"testing"

	"passdesk/app"
	"passdesk/app/listfile"
)

func TestStore(t *testing.T) {
	s, err := listfile.Open(filepath.Join(t.TempDir(), "lists"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(app.TrustListKind); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("empty store: %v", err)
	}
	if err := s.Save(app.TrustListKind, app.ListDoc{Doc: []byte{1, 2, 3}, ETag: `"v2"`}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Load(app.TrustListKind)
	if err != nil || string(d.Doc) != "\x01\x02\x03" || d.ETag != `"v2"` {
		t.Errorf("got %+v, %v", d, err)
	}
	if err := s.Save("../evil", app.ListDoc{}); err == nil {
		t.Error("unknown kind saved")
	}
}
