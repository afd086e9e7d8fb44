package storage_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// childDirEnv tells the test binary, re-run as a child, to write entries
// into that ledger directory until it is killed.
const (
	childDirEnv    = "PASSDESK_LEDGER_CHILD_DIR"
	childPrefixEnv = "PASSDESK_LEDGER_CHILD_PREFIX"
)

// TestHelperProcess is the child of TestCrashSafety: it records entries as
// fast as it can and prints each ID once Record has returned.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashSafety only")
	}
	prefix := os.Getenv(childPrefixEnv)
	l, err := storage.Open(dir, storage.Options{VenueID: "v", KioskID: "k", PINMemoryKiB: 256})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	ctx := context.Background()
	out := os.Stdout
	for i := 0; ; i++ {
		e := scan(i, time.Now(), app.Admit, app.Offline)
		if i%3 == 0 {
			e = manual(i, time.Now(), "010-2222-3333")
		}
		e.ID = fmt.Sprintf("%s-%d", prefix, i)
		if i%10 == 5 {
			if _, err := l.OpenOutage(ctx, time.Now(), "crash test"); err != nil {
				fmt.Fprintln(os.Stderr, "child:", err)
				os.Exit(3)
			}
		}
		if _, err := l.Record(ctx, e); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		fmt.Fprintln(out, e.ID)
	}
}

// TestCrashSafety kills a writing child with SIGKILL at random moments;
// after each kill every entry the child reported committed must be in the
// ledger, the chain must verify, and the file must not be taken for damaged.
func TestCrashSafety(t *testing.T) {
	if os.Getenv(childDirEnv) != "" {
		t.Skip("in the child")
	}
	const kills = 20
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	var committed []string
	for round := 0; round < kills; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), childDirEnv+"="+dir, fmt.Sprintf("%s=r%d", childPrefixEnv, round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill after a random number of commits plus a random delay, so
		// the kill lands anywhere: between writes, mid-transaction, mid-fsync.
		want := rng.IntN(15)
		delay := time.Duration(rng.IntN(3000)) * time.Microsecond
		var got []string
		deadline := time.After(60 * time.Second)
	wait:
		for len(got) < want {
			select {
			case id, ok := <-lines:
				if !ok {
					break wait
				}
				got = append(got, id)
			case <-deadline:
				break wait
			}
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Logf("round %d: kill: %v", round, err)
		}
		for id := range lines {
			got = append(got, id)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the child ended on its own (%v): %s", round, err, stderr.String())
		}
		if len(got) < want {
			t.Fatalf("round %d: the child printed %d IDs, want %d: %s", round, len(got), want, stderr.String())
		}
		committed = append(committed, got...)

		l, err := storage.Open(dir, storage.Options{PINMemoryKiB: 256})
		if err != nil {
			t.Fatalf("round %d: reopening: %v", round, err)
		}
		if n := l.Notices(); len(n) > 0 {
			t.Fatalf("round %d: the ledger was taken for damaged: %q", round, n)
		}
		held := map[string]bool{}
		es, err := l.PendingUploads(context.Background(), 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			held[e.ID] = true
		}
		for _, id := range committed {
			if !held[id] {
				t.Fatalf("round %d: entry %s was reported committed but is not in the ledger", round, id)
			}
		}
		if err := l.Verify(context.Background()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		l.Close()
	}
	t.Logf("%d kills, %d committed entries, all present, chain intact", kills, len(committed))
}
