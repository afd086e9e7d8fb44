package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"

	"passdesk/pass"
)

func init() {
	commands["revoke"] = command{"revoke a credential by its ID (32 hex digits)", runRevoke}
	commands["rotate-issuer"] = command{"make a new issuer key; the old one stays trusted until it expires", runRotate}
	commands["reissue"] = command{"issue a new credential to the holder of CID (new status with --status); the old one is revoked", runReissue}
}

func runRevoke(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("revoke", "CID", stderr)
	note := fs.String("note", "", "why, kept with the revocation")
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
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
	a, ok := openDataDB(*data, *db, stderr)
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
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		fs.Usage()
		return exitUsage
	}
	a, ok := openDataDB(*data, *db, stderr)
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

func runReissue(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("reissue", "CID", stderr)
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
	status := fs.Int("status", 0, "the new status (1-4); 0 keeps the holder's")
	name := fs.String("name", "", "a corrected name; empty keeps the holder's")
	birthYear := fs.Int("birth-year", 0, "a corrected birth year; 0 keeps the holder's")
	keep := fs.Bool("keep-old", false, "leave the old credential valid")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 || *status < 0 || *status > 4 {
		fs.Usage()
		return exitUsage
	}
	b, err := hex.DecodeString(rest[0])
	if err != nil || len(b) != 16 {
		fmt.Fprintf(stderr, "passd reissue: %q is not a credential ID (32 hex digits)\n", rest[0])
		return exitUsage
	}
	a, ok := openDataDB(*data, *db, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	iss, err := a.Reissue(context.Background(), [16]byte(b), pass.Status(*status), *name, *birthYear, !*keep)
	if err != nil {
		fmt.Fprintf(stderr, "passd reissue: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stderr, "passd: reissued %x as %x (status %d)\n", b, iss.CID, iss.Claims.Status)
	fmt.Fprintf(stdout, "%x %s\n", iss.CID, base64.StdEncoding.EncodeToString(iss.Credential))
	return exitOK
}
