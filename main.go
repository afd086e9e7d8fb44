// Command passdesk is the PassDesk check-in kiosk. With no arguments it opens
// the kiosk window; its subcommands (verify, decode, run, ledger, doctor, certlogic)
// each live in a cmd_*.go file of this package and are listed in commands.
package main

import (
	"fmt"
	"io"
	"os"

	_ "passdesk/internal/plainlocale" // before Fyne initialises: stderr carries only PassDesk's words
)

// Exit statuses (DESIGN.md "The command line").
const (
	exitOK    = 0 // the command did its job (a denied pass is a job done)
	exitUsage = 1 // a usage error
	exitFail  = 2 // could not run: unreadable file, bad trust list
)

// command is one subcommand; run gets the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands are the subcommands, in the order usage lists them. A new one
// is a line here and a cmd_NAME.go file.
func commands() []command {
	return []command{
		{"verify", "verify pass QR texts offline, one JSON line each", verifyCommand(dccSchemeFlags)},
		{"decode", "read the QR (or Aztec) code in each PNG or JPEG image", runDecode},
		{"run", "run the kiosk; --headless: without a window, a JSON line per verdict", runRun},
		{"ledger", "review, export, verify and purge the visitor ledger; add staff", runLedger},
		{"doctor", "check the configuration, data, ledger, lists, service and camera", runDoctor},
		{"certlogic", "evaluate (or --validate) CertLogic expressions, one JSON line each", runCertLogic},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		return runWindow(args, stderr)
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "passdesk: unknown command %q\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: passdesk [kiosk flags]        open the kiosk window")
	fmt.Fprintln(w, "       passdesk COMMAND [flags]      run a command")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
