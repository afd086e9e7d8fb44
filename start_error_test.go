package main

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"

	"passdesk/app"
)

func TestStartErrorSortsProblems(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want app.StartProblem
	}{
		{"read-only ledger", fmt.Errorf("%w: storage: checking the ledger file: %w", errLedger, sqlite3.Error{Code: sqlite3.ErrReadonly}), app.StartNotWritable},
		{"read-only file system", fmt.Errorf("data directory: %w", &fs.PathError{Op: "mkdir", Path: "/data", Err: syscall.EROFS}), app.StartNotWritable},
		{"no permission", fmt.Errorf("data directory: %w", &fs.PathError{Op: "mkdir", Path: "/data", Err: syscall.EACCES}), app.StartNotWritable},
		{"disk full", fmt.Errorf("%w: %w", errLedger, sqlite3.Error{Code: sqlite3.ErrFull}), app.StartDiskFull},
		{"missing key", fmt.Errorf("%w: storage: venue.secret is missing next to the existing ledger", errLedger), app.StartLedger},
		{"config", &app.StartError{Problem: app.StartConfig, Err: errors.New("toml: line 3")}, app.StartConfig},
		{"already running", &app.StartError{Problem: app.StartRunning, Err: errors.New("process 42")}, app.StartRunning},
		{"anything else", errors.New("camera: boom"), app.StartOther},
	} {
		t.Run(c.name, func(t *testing.T) {
			se := startError(c.err)
			if se.Problem != c.want || !errors.Is(se, c.err) && se.Err != c.err {
				t.Errorf("problem %q (err %v), want %q", se.Problem, se.Err, c.want)
			}
		})
	}
}
