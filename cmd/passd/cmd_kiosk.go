package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/store"
)

func init() {
	commands["kiosk"] = command{"kiosk credentials: add --venue V --kiosk K (prints the token once), list, revoke ID", runKiosk}
	commands["operator"] = command{"operator credentials (enrollment): add --name N (prints the token once), list, revoke ID", runOperator}
}

func runKiosk(args []string, stdout, stderr io.Writer) int {
	return runCredentials(store.TokenKiosk, args, stdout, stderr)
}

func runOperator(args []string, stdout, stderr io.Writer) int {
	return runCredentials(store.TokenOperator, args, stdout, stderr)
}

// runCredentials is passd kiosk and passd operator: add, list, revoke.
func runCredentials(kind string, args []string, stdout, stderr io.Writer) int {
	name := kind
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "revoke") {
		fmt.Fprintf(stderr, "usage: passd %s add|list|revoke [flags]   (passd %s add -h for its flags)\n", name, name)
		return exitUsage
	}
	sub := args[0]
	fs, data := newFlags(name+" "+sub, map[string]string{"add": "", "list": "", "revoke": "ID"}[sub], stderr)
	db := fs.String("db", "", "the database: a postgres:// URL, or empty for the data directory's SQLite file")
	venue := fs.String("venue", "", "add: the kiosk's venue ID")
	kiosk := fs.String("kiosk", "", "add: the kiosk's ID")
	holder := fs.String("name", "", "add: who holds the operator credential")
	out := fs.String("out", "", "add: also write the token to this file (mode 0600) for the kiosk's config")
	rest, code, ok := parse(fs, args[1:])
	if !ok {
		return code
	}
	if (sub == "revoke") != (len(rest) == 1) || len(rest) > 1 {
		fs.Usage()
		return exitUsage
	}
	if sub == "add" && ((kind == store.TokenKiosk && (*venue == "" || *kiosk == "")) || (kind == store.TokenOperator && *holder == "")) {
		fs.Usage()
		return exitUsage
	}
	a, ok := openDataDB(*data, *db, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	ctx := context.Background()
	switch sub {
	case "add":
		var token string
		var t store.Token
		var err error
		if kind == store.TokenKiosk {
			token, t, err = a.AddKiosk(ctx, *venue, *kiosk)
		} else {
			token, t, err = a.AddOperator(ctx, *holder)
		}
		if err == nil && *out != "" {
			err = writePrivate(*out, []byte(token+"\n"))
		}
		if errors.Is(err, authority.ErrInvalid) {
			fmt.Fprintf(stderr, "passd %s add: %v\n", name, err)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(stderr, "passd %s add: %v\n", name, err)
			return exitFail
		}
		fmt.Fprintf(stderr, "passd: credential %s issued; the token is shown this once, passd keeps only its hash:\n", t.ID)
		fmt.Fprintln(stdout, token)
	case "list":
		ts, err := a.Tokens(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "passd %s list: %v\n", name, err)
			return exitFail
		}
		for _, t := range ts {
			if t.Kind != kind {
				continue
			}
			state := "valid"
			if t.Revoked != 0 {
				state = "revoked " + time.Unix(t.Revoked, 0).UTC().Format(time.RFC3339)
			}
			who := t.VenueID + "\t" + t.KioskID
			if kind == store.TokenOperator {
				who = t.Name
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", t.ID, who, time.Unix(t.Created, 0).UTC().Format(time.RFC3339), state)
		}
	case "revoke":
		revoked, err := a.RevokeToken(ctx, rest[0])
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(stderr, "passd %s revoke: no credential %q (passd %s list shows them)\n", name, rest[0], name)
			return exitFail
		}
		if err != nil {
			fmt.Fprintf(stderr, "passd %s revoke: %v\n", name, err)
			return exitFail
		}
		if revoked {
			fmt.Fprintf(stdout, "revoked %s; every node refuses it within a second\n", rest[0])
		} else {
			fmt.Fprintf(stdout, "%s was already revoked\n", rest[0])
		}
	}
	return exitOK
}

// openDataDB opens a data directory with the database db ("" for its
// SQLite file), saying what to do when it cannot.
func openDataDB(dir, db string, stderr io.Writer) (*authority.Authority, bool) {
	if db == "" {
		db = os.Getenv("PASSD_DB")
	}
	a, err := authority.OpenDB(dir, db, nil)
	if err != nil {
		fmt.Fprintf(stderr, "passd: %s: %v\n", dir, err)
		return nil, false
	}
	return a, true
}

// writePrivate writes data to path readable by its owner only, whatever
// the umask or the mode an existing file had.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
