package main

import (
	"context"
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
	shedRunnable := fs.Int("shed-runnable", server.DefaultShedRunnable, "runnable goroutines per core above which new requests start to get 429 (0: off)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	db := fs.String("db", "", "the database: a postgres:// URL shared by several nodes, or empty for the data directory's SQLite file ($PASSD_DB)")
	rest, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		fs.Usage()
		return exitUsage
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
	srv, err := server.New(server.Config{Authority: a, MaxInFlight: *inFlight, ShedRunnable: *shedRunnable, Logger: log})
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("serving", "addr", ln.Addr().String(), "data", *data, "root_key", srv.RootKey(),
		"demo", "http://"+ln.Addr().String()+"/demo")
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "passd serve: %v\n", err)
		return exitFail
	}
	log.Info("stopped")
	return exitOK
}
