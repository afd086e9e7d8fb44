package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"passdesk/app"
	"passdesk/app/listfile"
	"passdesk/app/remote"
	"passdesk/camera"
	"passdesk/pass"
	"passdesk/storage"
)

// doctorReport collects the checks' findings.
type doctorReport struct {
	w      io.Writer
	failed int
	warned int
}

func (r *doctorReport) ok(what, format string, a ...any) {
	fmt.Fprintf(r.w, "ok    %-11s %s\n", what, fmt.Sprintf(format, a...))
}

func (r *doctorReport) warn(what, format string, a ...any) {
	r.warned++
	fmt.Fprintf(r.w, "WARN  %-11s %s\n", what, fmt.Sprintf(format, a...))
}

func (r *doctorReport) fail(what, format string, a ...any) {
	r.failed++
	fmt.Fprintf(r.w, "FAIL  %-11s %s\n", what, fmt.Sprintf(format, a...))
}

func runDoctor(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := kioskFlags(fs)
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the service")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passdesk doctor: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	r := &doctorReport{w: stdout}
	ctx := context.Background()
	now := time.Now()

	cfg, err := load()
	if err != nil {
		r.fail("config", "%s: %v", cfg.ConfigFile, err)
	} else if _, serr := os.Stat(cfg.ConfigFile); serr != nil {
		r.ok("config", "no file at %s: defaults and flags in use", cfg.ConfigFile)
	} else {
		r.ok("config", "%s", cfg.ConfigFile)
	}
	if cfg.DataDir != "" {
		doctorData(ctx, r, cfg)
	}
	doctorLists(r, cfg, now)
	doctorService(ctx, r, cfg, *timeout)
	doctorCamera(r, cfg)

	switch {
	case r.failed > 0:
		fmt.Fprintf(stdout, "%d problem(s), %d warning(s)\n", r.failed, r.warned)
		return exitFail
	case r.warned > 0:
		fmt.Fprintf(stdout, "good, with %d warning(s)\n", r.warned)
		return exitOK
	}
	fmt.Fprintln(stdout, "all good")
	return exitOK
}

// doctorData checks that the data directory takes writes and that the
// ledger opens and its hash chain verifies.
func doctorData(ctx context.Context, r *doctorReport, cfg app.Config) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		r.fail("data", "%s: %v", cfg.DataDir, err)
		return
	}
	f, err := os.CreateTemp(cfg.DataDir, ".doctor-*")
	if err != nil {
		r.fail("data", "%s is not writable: %v", cfg.DataDir, err)
		return
	}
	f.Close()
	os.Remove(f.Name())
	r.ok("data", "%s is writable", cfg.DataDir)
	if pid, ok := dataHolder(cfg.DataDir); ok {
		r.ok("kiosk", "running on this data directory as process %d", pid)
	} else {
		r.ok("kiosk", "none running on this data directory")
	}

	if _, err := os.Stat(filepath.Join(cfg.DataDir, "ledger.db")); errors.Is(err, os.ErrNotExist) {
		r.ok("ledger", "none yet: it is made at the first run")
		return
	}
	l, err := storage.Open(cfg.DataDir, storage.Options{ReadOnly: true})
	if err != nil {
		r.fail("ledger", "does not open: %v", err)
		return
	}
	defer l.Close()
	for _, n := range l.Notices() {
		r.warn("ledger", "%s", n)
	}
	if err := l.Verify(ctx); err != nil {
		r.fail("ledger", "hash chain does not verify: %v", err)
		return
	}
	if pending, err := l.PendingUploads(ctx, 10000); err == nil && len(pending) > 0 {
		r.ok("ledger", "opens, hash chain verifies; %d entries wait to upload", len(pending))
		return
	}
	r.ok("ledger", "opens, hash chain verifies")
}

// doctorLists checks the signed lists kept on disk against the pinned
// roots, and their age.
func doctorLists(r *doctorReport, cfg app.Config, now time.Time) {
	roots, err := cfg.RootKeys()
	if err != nil || len(roots) == 0 {
		r.fail("roots", "no usable pinned root key: set roots in the configuration or pass --root")
		return
	}
	r.ok("roots", "%d pinned", len(roots))
	if cfg.DataDir == "" {
		return
	}
	store, err := listfile.Open(filepath.Join(cfg.DataDir, "lists"))
	if err != nil {
		r.fail("lists", "%v", err)
		return
	}
	d, err := store.Load(app.TrustListKind)
	switch {
	case errors.Is(err, app.ErrNotFound):
		r.fail("trust list", "none on disk: offline verification needs one fetched from the service")
	case err != nil:
		r.fail("trust list", "%v", err)
	default:
		if tl, err := pass.OpenTrustList(d.Doc, roots, nil); err != nil {
			r.fail("trust list", "%s refused: %v", store.Path(app.TrustListKind), err)
		} else if tl.Stale(now) {
			r.warn("trust list", "seq %d expired %s ago", tl.Seq, age(now, tl.Expires))
		} else {
			r.ok("trust list", "seq %d, %d keys, issued %s ago", tl.Seq, len(tl.Keys), age(now, tl.IssuedAt))
		}
	}
	d, err = store.Load(app.RevocationsKind)
	switch {
	case errors.Is(err, app.ErrNotFound):
		r.warn("revocation", "no revocation list on disk: offline verdicts cannot see revocations")
	case err != nil:
		r.fail("revocation", "%v", err)
	default:
		if rl, err := pass.OpenRevocationList(d.Doc, roots, nil); err != nil {
			r.fail("revocation", "%s refused: %v", store.Path(app.RevocationsKind), err)
		} else if rl.Stale(now) {
			r.warn("revocation", "seq %d expired %s ago", rl.Seq, age(now, rl.Expires))
		} else {
			r.ok("revocation", "seq %d, %d revoked, issued %s ago", rl.Seq, len(rl.CIDs), age(now, rl.IssuedAt))
		}
	}
}

func age(now time.Time, unix int64) time.Duration {
	d := now.Sub(time.Unix(unix, 0)).Round(time.Second)
	if d < 0 {
		return -d
	}
	return d
}

// doctorService checks that the service answers and that the clocks agree.
func doctorService(ctx context.Context, r *doctorReport, cfg app.Config, timeout time.Duration) {
	if cfg.ServerURL == "" {
		r.warn("service", "no server_url: the kiosk verifies offline only and uploads nothing")
		return
	}
	c, err := remote.New(cfg.ServerURL, remote.Options{ServerCA: cfg.ServerCA, CredentialFile: cfg.CredentialFile})
	if err != nil {
		r.fail("service", "%v", err)
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	if err := c.Health(ctx); err != nil {
		var ue x509.UnknownAuthorityError
		var he x509.HostnameError
		switch {
		case errors.As(err, &ue):
			r.fail("service", "%s: its certificate is not signed by a CA this kiosk trusts: pin the service's CA with server_ca (passd init prints it) (%v)", cfg.ServerURL, err)
		case errors.As(err, &he):
			r.fail("service", "%s: its certificate is for another name: use the name the certificate names in server_url (%v)", cfg.ServerURL, err)
		default:
			r.fail("service", "%s does not answer: %v", cfg.ServerURL, err)
		}
		return
	}
	r.ok("service", "%s answers in %v", cfg.ServerURL, time.Since(start).Round(time.Millisecond))
	if cfg.VenueID == "" || cfg.KioskID == "" {
		r.fail("venue", "set venue_id and kiosk_id (or --venue, --kiosk): the service stores no entries without them")
	}
	doctorCredential(ctx, r, c, cfg)
	svc, local, ok := c.Clock()
	if !ok {
		r.warn("clock", "the service sent no Date header to compare with")
		return
	}
	off := svc.Sub(local)
	if app.ClockOff(off, cfg.Skew) {
		r.fail("clock", "differs from the service's by %v (more than the %v skew): set the time, or passes will be refused as expired or from the future", off.Round(time.Second), cfg.Skew)
		return
	}
	r.ok("clock", "within %v of the service's", max(off, -off).Round(time.Second))
}

// doctorCredential checks the kiosk's credential against the service: a
// verify call for a text that is no pass costs the service nothing, and
// its answer says whether the credential is taken.
func doctorCredential(ctx context.Context, r *doctorReport, c *remote.Client, cfg app.Config) {
	_, err := c.Verify(ctx, app.Check{QR: "PD1:", VenueID: cfg.VenueID, KioskID: cfg.KioskID, ScanID: "doctor"})
	var u *app.Unavailable
	switch {
	case errors.Is(err, app.ErrUnauthorized):
		r.fail("credential", "the service refuses this kiosk's credential (%s): issue one with `passd kiosk add --venue %s --kiosk %s` and put it in credential_file (mode 0600)", credentialName(cfg), cfg.VenueID, cfg.KioskID)
	case errors.As(err, &u):
		r.warn("credential", "could not be checked: %v", err)
	case cfg.CredentialFile == "":
		r.warn("credential", "no credential_file: the service takes this kiosk's calls now, but a service that requires kiosk credentials will refuse them")
	default:
		r.ok("credential", "%s is accepted by the service", cfg.CredentialFile)
	}
}

func credentialName(cfg app.Config) string {
	if cfg.CredentialFile == "" {
		return "none is set"
	}
	return cfg.CredentialFile
}

// doctorCamera lists the capture devices.
func doctorCamera(r *doctorReport, cfg app.Config) {
	switch cfg.Camera {
	case "none", cameraStdin:
		r.ok("camera", "%q: no camera used", cfg.Camera)
		return
	}
	devs := camera.ListDevices()
	for _, d := range devs {
		r.ok("camera", "%s %s", d.Path, d.Name)
	}
	if len(devs) == 0 && cfg.Camera == "auto" {
		r.warn("camera", "no usable video device found; a keyboard-wedge QR scanner still works")
	} else if len(devs) == 0 {
		r.ok("camera", "source %q", cfg.Camera)
	}
}
