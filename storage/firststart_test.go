//go:build linux && amd64

package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

const firstStartDirEnv = "PASSDESK_FIRST_START_DIR"

// TestHelperFirstStart is the child of TestFirstStartKilledAtEachFileEvent:
// a kiosk's very first start of its ledger, with the first-run setup that
// adds the first manager and audits it.
func TestHelperFirstStart(t *testing.T) {
	dir := os.Getenv(firstStartDirEnv)
	if dir == "" {
		t.Skip("run by TestFirstStartKilledAtEachFileEvent only")
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	ctx := context.Background()
	l, err := storage.Open(dir, storage.Options{VenueID: "v", KioskID: "k", PINMemoryKiB: 256})
	if err != nil {
		fail(err)
	}
	if _, err := l.AddPerson(ctx, "Kim Manager", app.Manager, firstPIN); err != nil {
		fail(err)
	}
	if err := l.Audit(ctx, "Kim Manager", "setup", "first manager"); err != nil {
		fail(err)
	}
	if err := l.Close(); err != nil {
		fail(err)
	}
}

// firstPIN is the first manager's PIN in the first-start test.
const firstPIN = "2468"

// TestFirstStartKilledAtEachFileEvent kills a first start with SIGKILL just
// before each file-changing syscall it makes, in turn, and starts the
// ledger again from what the kill left: every such state must open as a
// sound, writable, verifiable ledger, with nothing taken for damage.
func TestFirstStartKilledAtEachFileEvent(t *testing.T) {
	if os.Getenv(firstStartDirEnv) != "" {
		t.Skip("in the child")
	}
	run := func(t *testing.T, dir string, n int) (int, string, bool) {
		t.Helper()
		errFile, err := os.CreateTemp(t.TempDir(), "stderr")
		if err != nil {
			t.Fatal(err)
		}
		defer errFile.Close()
		cmd := helperCmd("TestHelperFirstStart", errFile, firstStartDirEnv+"="+dir)
		events, at, killed, err := runKilledAt(cmd, n)
		if err != nil {
			msg, _ := os.ReadFile(errFile.Name())
			t.Fatalf("kill at event %d: %v: %s", n, err, msg)
		}
		return events, at, killed
	}
	total, _, _ := run(t, filepath.Join(t.TempDir(), "ledger"), 0)
	if total < 10 {
		t.Fatalf("a first start made only %d file events: the tracing does not see them", total)
	}
	var failed []string
	for n := 1; n <= total; n++ {
		dir := filepath.Join(t.TempDir(), "ledger")
		_, at, killed := run(t, dir, n)
		if !killed {
			continue // this run made fewer events than the first one
		}
		if err := startsAfterKill(dir); err != nil {
			failed = append(failed, fmt.Sprintf("killed before event %d (%s), leaving %s: %v", n, at, listDir(dir), err))
		}
	}
	for _, f := range failed {
		t.Error(f)
	}
	t.Logf("%d kill points of a first start, %d failed", total, len(failed))
}

// startsAfterKill opens the ledger in dir as the kiosk would, records an
// entry, verifies the chain, and opens it again.
func startsAfterKill(dir string) error {
	ctx := context.Background()
	opts := storage.Options{VenueID: "v", KioskID: "k", PINMemoryKiB: 256}
	l, err := storage.Open(dir, opts)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if n := l.Notices(); len(n) > 0 {
		l.Close()
		return fmt.Errorf("taken for damaged: %q", n)
	}
	// The setup either happened or is asked for again.
	has, err := l.HasManager(ctx)
	if err != nil {
		l.Close()
		return fmt.Errorf("has manager: %w", err)
	}
	if !has {
		if _, err := l.AddPerson(ctx, "Kim Manager", app.Manager, firstPIN); err != nil {
			l.Close()
			return fmt.Errorf("setup again: %w", err)
		}
	}
	if p, err := l.SignIn(ctx, firstPIN); err != nil || p.Role != app.Manager {
		l.Close()
		return fmt.Errorf("sign in: %+v, %w", p, err)
	}
	if _, err := l.Record(ctx, manual(1, time.Now(), "010-1234-5678")); err != nil {
		l.Close()
		return fmt.Errorf("record: %w", err)
	}
	if err := l.Verify(ctx); err != nil {
		l.Close()
		return fmt.Errorf("verify: %w", err)
	}
	if err := l.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	l, err = storage.Open(dir, opts)
	if err != nil {
		return fmt.Errorf("second open: %w", err)
	}
	defer l.Close()
	es, _, err := l.List(ctx, app.Filter{})
	if err != nil || len(es) != 1 {
		return fmt.Errorf("second open: %d entries, %v", len(es), err)
	}
	if p, err := l.RevealPhone(ctx, es[0].ID); err != nil || p != "010-1234-5678" {
		return fmt.Errorf("second open: phone %q, %v", p, err)
	}
	return nil
}

// listDir names the files in dir with their sizes.
func listDir(dir string) string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return "no directory"
	}
	var names []string
	for _, de := range des {
		if fi, err := de.Info(); err == nil {
			names = append(names, fmt.Sprintf("%s(%d)", de.Name(), fi.Size()))
		}
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
