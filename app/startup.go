package app

// StartProblem names why the kiosk could not open, so the window can say
// what is wrong and what to do in its language instead of raw text.
type StartProblem string

// Start problems.
const (
	StartConfig      StartProblem = "config"            // the configuration file cannot be read
	StartNotWritable StartProblem = "data_not_writable" // the data directory or ledger is read-only
	StartDiskFull    StartProblem = "disk_full"         // no space to open the ledger
	StartLedger      StartProblem = "ledger"            // the ledger or its keys cannot be opened
	StartRunning     StartProblem = "already_running"   // another PassDesk holds the data directory
	StartOther       StartProblem = "other"
)

// StartError is a failure to open the kiosk, with its problem and the
// technical detail underneath for the IT person.
type StartError struct {
	Problem StartProblem
	Err     error
}

func (e *StartError) Error() string { return string(e.Problem) + ": " + e.Err.Error() }

func (e *StartError) Unwrap() error { return e.Err }
