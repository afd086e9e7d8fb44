package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

func init() {
	commands["init"] = command{"make the root and issuer keys, the database and a pilot TLS CA and certificate; print the root public key", runInit}
}

// hostList is a repeatable --host flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error {
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n == "" {
			return fmt.Errorf("an empty host name")
		}
		*h = append(*h, n)
	}
	return nil
}

func runInit(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("init", "", stderr)
	issuer := fs.String("issuer", authority.DefaultIssuer, "the issuer ID credentials carry")
	var hosts hostList
	fs.Var(&hosts, "host", "a name or address kiosks reach passd by, for the TLS certificate (repeatable; localhost and 127.0.0.1 are always in it)")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		fs.Usage()
		return exitUsage
	}
	now := time.Now()
	root, created, err := authority.Init(*data, *issuer, now)
	if err != nil {
		fmt.Fprintf(stderr, "passd init: %v\n", err)
		return exitFail
	}
	if created {
		fmt.Fprintf(stderr, "passd: initialized %s\n", *data)
	} else {
		fmt.Fprintf(stderr, "passd: %s is already initialized; its keys are kept\n", *data)
	}
	f := tlsFiles{dir: *data}
	issued, err := ensureTLS(f, hosts, now)
	if err != nil {
		fmt.Fprintf(stderr, "passd init: TLS: %v\n", err)
		return exitFail
	}
	ca, err := loadCert(f.path(caCertFile))
	if err != nil {
		fmt.Fprintf(stderr, "passd init: TLS: %v\n", err)
		return exitFail
	}
	cert, err := loadCert(f.path(serverCert))
	if err != nil {
		fmt.Fprintf(stderr, "passd init: TLS: %v\n", err)
		return exitFail
	}
	state := "kept"
	if issued {
		state = "made"
	}
	fmt.Fprintf(stderr, "passd: TLS server certificate %s (%s, for %s, until %s)\n",
		f.path(serverCert), state, strings.Join(append(cert.DNSNames, ipStrings(cert)...), ", "), cert.NotAfter.Format("2006-01-02"))
	fmt.Fprintf(stderr, "passd: serve it with: passd serve --tls-cert %s --tls-key %s\n", f.path(serverCert), f.path(serverKeyFile))
	fmt.Fprintf(stderr, "passd: kiosks trust the CA certificate %s (public key SHA-256 %s)\n", f.path(caCertFile), spkiPin(ca))
	fmt.Fprintln(stderr, "passd: and pin this root key (the last line on standard output):")
	fmt.Fprintln(stdout, pass.EncodeRootKey(root))
	return exitOK
}
