package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passdesk/app"
)

// TestKioskFlagsDamagedConfig checks that a kiosk whose configuration file
// is damaged after a good start runs on the last good copy, with a notice,
// instead of refusing to start.
func TestKioskFlagsDamagedConfig(t *testing.T) {
	dir := t.TempDir()
	file, data := filepath.Join(dir, "config.toml"), filepath.Join(dir, "data")
	os.WriteFile(file, []byte("server_url = \"http://127.0.0.1:8787\"\nvenue_id = \"cafe\"\n"), 0o600)

	load := func() (string, []app.Notice, error) {
		t.Helper()
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		l := kioskFlags(fs)
		if err := fs.Parse([]string{"--config", file, "--data", data}); err != nil {
			t.Fatal(err)
		}
		cfg, err := l()
		return cfg.ServerURL, cfg.Notices, err
	}

	if url, notices, err := load(); err != nil || url != "http://127.0.0.1:8787" || len(notices) != 0 {
		t.Fatalf("good file: %q %q %v", url, notices, err)
	}
	os.WriteFile(file, []byte("server_url = [broken"), 0o600)
	url, notices, err := load()
	if err != nil {
		t.Fatalf("damaged file: %v", err)
	}
	if url != "http://127.0.0.1:8787" {
		t.Errorf("server_url = %q, want the last good one", url)
	}
	if len(notices) != 1 || !strings.Contains(notices[0].Detail, "config.toml") {
		t.Errorf("notices = %q, want one naming the damaged file", notices)
	}
}
