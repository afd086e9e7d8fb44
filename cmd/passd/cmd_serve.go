package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"passdesk/cmd/passd/server"
)

func init() {
	commands["serve"] = command{"serve the HTTP API until SIGINT or SIGTERM", runServe}
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs, data := newFlags("serve", "", stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "the address to listen on")
	inFlight := fs.Int("max-in-flight", 0, "admission limit: requests served at once before 429 (0: 16 per CPU)")
	shedTarget := fs.Duration("shed-target", server.DefaultShedTarget, "once requests stand in a queue, a POST that waited longer than this for the CPU gets 429 (0: off)")
	maxConns := fs.Int("max-conns", server.DefaultMaxConns, "connections open at once; more are closed at once")
	fs.Int("shed-runnable", 0, "replaced by --shed-target; ignored")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	certFile := fs.String("tls-cert", "", "serve HTTPS (TLS 1.3) with this certificate chain (PEM; passd init makes DIR/tls-server.pem)")
	keyFile := fs.String("tls-key", "", "the private key of --tls-cert (PEM)")
	insecure := fs.Bool("insecure-http", false, "allow plain HTTP on an address other than loopback")
	db := fs.String("db", "", "the database: a postgres:// URL shared by several nodes, or empty for the data directory's SQLite file ($PASSD_DB)")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 || (*certFile == "") != (*keyFile == "") {
		fs.Usage()
		return exitUsage
	}
	var tc *tls.Config
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "passd serve: TLS: %v\n", err)
			return exitFail
		}
		tc = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13}
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "passd serve: --log-level %q: %v\n", *level, err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	a, ok := openDataDB(*data, *db, stderr)
	if !ok {
		return exitFail
	}
	defer a.Close()
	srv, err := server.New(server.Config{Authority: a, TLS: tc, MaxInFlight: *inFlight, ShedTarget: *shedTarget, MaxConns: *maxConns, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "passd serve: %v\n", err)
		return exitFail
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "passd serve: %v\n", err)
		return exitFail
	}
	if err := checkPlainHTTP(ln.Addr(), tc != nil, *insecure); err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "passd serve: %v\n", err)
		return exitUsage
	}
	scheme := "http://"
	if tc != nil {
		scheme = "https://"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("serving", "addr", ln.Addr().String(), "data", *data, "root_key", srv.RootKey(),
		"demo", scheme+ln.Addr().String()+"/demo", "tls", tc != nil)
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "passd serve: %v\n", err)
		return exitFail
	}
	log.Info("stopped")
	return exitOK
}

// checkPlainHTTP refuses plain HTTP on an address other than loopback
// unless insecure says so: kiosks' credentials and verdicts cross it.
func checkPlainHTTP(addr net.Addr, tls, insecure bool) error {
	if tls || insecure {
		return nil
	}
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return nil
	}
	return fmt.Errorf("plain HTTP on %s, which is not loopback, is refused: give --tls-cert and --tls-key (passd init makes them: DIR/tls-server.pem and DIR/tls-server.key) or, on a network you trust, --insecure-http", addr)
}
