package pass

import (
	"errors"
	"fmt"
)

// Error is a failure that carries a verification reason code, so a caller
// can show the code and log the detail.
type Error struct {
	Reason Reason
	Msg    string
	Err    error // underlying cause, may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Reason, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Reason, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the reason code err carries, or "" when it carries none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func malformed(msg string, err error) *Error {
	return &Error{Reason: Malformed, Msg: msg, Err: err}
}

func malformedf(format string, args ...any) *Error {
	return &Error{Reason: Malformed, Msg: fmt.Sprintf(format, args...)}
}

// Why a trust or revocation list is refused. The previous good list stays in
// use; the caller reports the error.
var (
	// ErrNoRoot: no root key was given to check the list against.
	ErrNoRoot = errors.New("no pinned root key")
	// ErrListMalformed: the document is not a well-formed root-signed list.
	ErrListMalformed = errors.New("list is malformed")
	// ErrWrongKid: the protected header has no kid, or names no pinned root.
	ErrWrongKid = errors.New("list is not signed by a pinned root (kid missing or unknown)")
	// ErrForged: the signature does not verify under the root its kid names.
	ErrForged = errors.New("list signature does not verify under the pinned root")
	// ErrRollback: the list's seq is lower than the one already held.
	ErrRollback = errors.New("list seq is lower than the one held (rollback)")
)
