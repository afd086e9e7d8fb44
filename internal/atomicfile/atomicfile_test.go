package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"passdesk/internal/atomicfile"
)

func TestWrite(t *testing.T) {
	t.Run("replaces whole with the mode asked", func(t *testing.T) {
		old := syscall.Umask(0)
		defer syscall.Umask(old)
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, []byte("old contents"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := atomicfile.Write(p, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		st, _ := os.Stat(p)
		if got, want := string(b), "new"; got != want {
			t.Errorf("contents = %q, want %q", got, want)
		}
		if got, want := st.Mode().Perm(), fs.FileMode(0o600); got != want {
			t.Errorf("mode = %v, want %v", got, want)
		}
	})
	t.Run("a failed write replaces nothing and leaves no temporary file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		os.WriteFile(p, []byte("old"), 0o600)
		boom := errors.New("boom")
		err := atomicfile.WriteFunc(p, 0o600, func(w io.Writer) error {
			w.Write([]byte("half"))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		b, _ := os.ReadFile(p)
		if got, want := string(b), "old"; got != want {
			t.Errorf("contents = %q, want %q", got, want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("directory holds %d files, want 1", len(ents))
		}
	})
	t.Run("a missing directory is an error", func(t *testing.T) {
		if err := atomicfile.Write(filepath.Join(t.TempDir(), "no", "f"), nil, 0o600); err == nil {
			t.Error("no error")
		}
	})
}

func TestCreate(t *testing.T) {
	t.Run("writes a new file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "key")
		if err := atomicfile.Create(p, []byte("k"), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "k" {
			t.Errorf("contents = %q", b)
		}
	})
	t.Run("never replaces an existing file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "key")
		os.WriteFile(p, []byte("first"), 0o600)
		err := atomicfile.Create(p, []byte("second"), 0o600)
		if !errors.Is(err, fs.ErrExist) {
			t.Fatalf("err = %v, want fs.ErrExist", err)
		}
		if b, _ := os.ReadFile(p); string(b) != "first" {
			t.Errorf("contents = %q, want first", b)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("directory holds %d files, want 1", len(ents))
		}
	})
}
