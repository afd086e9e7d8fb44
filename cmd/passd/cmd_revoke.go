package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
)

func init() {
	commands["revoke"] = command{"revoke a credential by its ID (32 hex digits)", runRevoke}
	commands["rotate-issuer"] = command{"make a new issuer key; the old one stays trusted until it expires", runRotate}
}

func runRevoke(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("revoke", "CID", stderr)
	note := fs.String("note", "", "why, kept with the revocation")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fs.Usage()
		return exitUsage
	}
	b, err := hex.DecodeString(rest[0])
	if err != nil || len(b) != 16 {
		fmt.Fprintf(stderr, "passd revoke: %q is not a credential ID (32 hex digits)\n", rest[0])
		return exitUsage
	}
	a, ok := openData(*data, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	added, known, err := a.Revoke(context.Background(), [16]byte(b), *note)
	if err != nil {
		fmt.Fprintf(stderr, "passd revoke: %v\n", err)
		return exitFail
	}
	switch {
	case !added:
		fmt.Fprintf(stdout, "%x was already revoked\n", b)
	case !known:
		fmt.Fprintf(stdout, "revoked %x (not issued from this data directory)\n", b)
	default:
		fmt.Fprintf(stdout, "revoked %x\n", b)
	}
	return exitOK
}

func runRotate(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("rotate-issuer", "", stderr)
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		fs.Usage()
		return exitUsage
	}
	a, ok := openData(*data, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	kid, err := a.RotateIssuer(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "passd rotate-issuer: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "new issuer key %x\n", kid)
	return exitOK
}
