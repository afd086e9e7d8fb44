// Command passd is PassDesk's reference authority service: it issues
// credentials, signs the trust and revocation lists kiosks pin, verifies
// online, keeps the central entries register, and serves demo holders.
// Each subcommand lives in a cmd_*.go file of this package; the service
// itself is in the server, authority and store packages.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit statuses, as for passdesk.
const (
	exitOK    = 0 // the command did its job
	exitUsage = 1 // a usage error
	exitFail  = 2 // could not run
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the cmd_*.go files.
var commands = map[string]command{}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		keepStacks()
	}
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "passd: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: passd COMMAND [flags]   (passd COMMAND -h for its flags)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, commands[n].summary)
	}
}
