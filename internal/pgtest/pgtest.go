// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb
// in a temporary directory, pg_ctl start on a Unix socket in it (no TCP
// port to collide with anything), as an unprivileged user when the test
// runs as root, stopped and removed when the test ends. Tests skip, saying
// why, when PostgreSQL is not installed (Debian package postgresql, which
// make test installs).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running (or stopped) test cluster.
type Cluster struct {
	durable bool
	t       testing.TB
	bin     string // the directory of initdb and pg_ctl
	dir     string
	data    string
	cred    *syscall.Credential // nil when not root
}

// binDir finds PostgreSQL's server programs: $PGTEST_BIN, else the newest
// of Debian's /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	if d := os.Getenv("PGTEST_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no initdb in /usr/lib/postgresql/*/bin or on PATH")
}

// Start makes and starts a cluster for t, or skips t when PostgreSQL is
// not installed. It runs with fsync off: tests want it fast, not durable.
func Start(t testing.TB) *Cluster {
	t.Helper()
	return start(t, false)
}

// StartDurable is Start with fsync on, as a production server runs: for
// benchmarks set against SQLite's synchronous=FULL.
func StartDurable(t testing.TB) *Cluster {
	t.Helper()
	return start(t, true)
}

func start(t testing.TB, durable bool) *Cluster {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		t.Skipf("PostgreSQL tests skipped: PostgreSQL is not installed (%v); make test installs the Debian package postgresql", err)
	}
	// Under /tmp rather than t.TempDir: the server's user must reach it,
	// and the socket path must stay short.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{durable: durable, t: t, bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	t.Cleanup(func() {
		c.Stop()
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as nobody.
		c.cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	c.run("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
	c.Start()
	return c
}

func (c *Cluster) run(prog string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(filepath.Join(c.bin, prog), args...)
	cmd.Env = append(os.Environ(), "HOME="+c.dir, "LC_ALL=C")
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", prog, args, err, out)
	}
}

// Start starts the cluster (again, after Stop) and waits until it accepts
// connections.
func (c *Cluster) Start() {
	c.t.Helper()
	fsync := "off"
	if c.durable {
		fsync = "on"
	}
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=%s -c max_connections=200", c.dir, fsync)
	c.run("pg_ctl", "-D", c.data, "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start")
}

// Stop stops the cluster at once (fast shutdown); a stopped cluster is
// left as it is.
func (c *Cluster) Stop() {
	if _, err := os.Stat(filepath.Join(c.data, "postmaster.pid")); err != nil {
		return
	}
	cmd := exec.Command(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "fast", "-w", "stop")
	cmd.Env = append(os.Environ(), "HOME="+c.dir)
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Logf("pg_ctl stop: %v\n%s", err, out)
	}
}

// URL is the connection URL of database db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", db, c.dir)
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase() string {
	c.t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		c.t.Fatal(err)
	}
	return c.URL(name)
}
