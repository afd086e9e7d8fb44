package main

import (
	"errors"
	"os"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"passdesk/app"
)

// startError sorts a failure to open the kiosk into the problem the
// window puts into words; the error itself stays underneath.
func startError(err error) *app.StartError {
	var se *app.StartError
	if errors.As(err, &se) {
		return se
	}
	var sq sqlite3.Error
	isSQL := errors.As(err, &sq)
	switch {
	case errors.Is(err, syscall.ENOSPC) || (isSQL && sq.Code == sqlite3.ErrFull):
		return &app.StartError{Problem: app.StartDiskFull, Err: err}
	case errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission) ||
		(isSQL && (sq.Code == sqlite3.ErrReadonly || sq.Code == sqlite3.ErrPerm || sq.Code == sqlite3.ErrCantOpen)):
		return &app.StartError{Problem: app.StartNotWritable, Err: err}
	case isSQL || errors.Is(err, errLedger):
		return &app.StartError{Problem: app.StartLedger, Err: err}
	}
	return &app.StartError{Problem: app.StartOther, Err: err}
}

// errLedger marks a failure to open the ledger or its keys.
var errLedger = errors.New("ledger")
