// Command passdesk is the PassDesk check-in kiosk. With no arguments it opens
// the kiosk window; its subcommands (verify, decode, run, ledger, doctor)
// each live in a cmd_*.go file of this package.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit statuses (DESIGN.md "The command line").
const (
	exitOK    = 0 // the command did its job (a denied pass is a job done)
	exitUsage = 1 // a usage error
	exitFail  = 2 // could not run: unreadable file, bad trust list
)

// command is one subcommand; run gets the arguments after its name.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the cmd_*.go files.
var commands = map[string]command{}

// openWindow opens the kiosk window; set by cmd_window.go.
var openWindow func(args []string, stderr io.Writer) int

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		if openWindow == nil {
			fmt.Fprintln(stderr, "passdesk: this build has no kiosk window")
			return exitFail
		}
		return openWindow(args, stderr)
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "passdesk: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: passdesk [kiosk flags]        open the kiosk window")
	fmt.Fprintln(w, "       passdesk COMMAND [flags]      run a command")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
}
