package main

import (
	"fmt"
	"io"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

func init() {
	commands["init"] = command{"make the root and issuer keys and the database; print the root public key", runInit}
}

func runInit(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("init", "", stderr)
	issuer := fs.String("issuer", authority.DefaultIssuer, "the issuer ID credentials carry")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		fs.Usage()
		return exitUsage
	}
	root, created, err := authority.Init(*data, *issuer, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "passd init: %v\n", err)
		return exitFail
	}
	if created {
		fmt.Fprintf(stderr, "passd: initialized %s; kiosks pin this root key:\n", *data)
	} else {
		fmt.Fprintf(stderr, "passd: %s is already initialized; its keys are kept. Root key:\n", *data)
	}
	fmt.Fprintln(stdout, pass.EncodeRootKey(root))
	return exitOK
}
