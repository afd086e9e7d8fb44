package remote_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/app"
	"passdesk/app/listfile"
	"passdesk/app/remote"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
	"passdesk/internal/faultproxy"
	"passdesk/internal/testpki"
	"passdesk/pass"
	"passdesk/storage"
)

// The fault tests run the kiosk engine against the real passd, in process,
// behind the fault proxy, with a real ledger on a temporary directory. The
// link is the one a venue has: passd serves TLS with a certificate from a
// CA the kiosk pins (server_ca), the proxy terminates TLS with its own
// certificate from that CA and speaks TLS to passd, and the kiosk carries
// a credential passd issued, from a 0600 credential_file.

const (
	venue    = "venue-1"
	kioskID  = "kiosk-1"
	deadline = 300 * time.Millisecond
	// bound is the latency a visitor may see: the deadline and a generous
	// margin for a loaded machine running the race detector.
	bound = deadline + 50*time.Millisecond
)

type authorityRig struct {
	srv      *server.Server
	direct   string // passd's own https:// address, past the proxy
	proxy    *faultproxy.Proxy
	ca       *testpki.CA
	caFile   string // the CA the kiosk pins
	credFile string // the kiosk's credential
}

func newAuthority(t testing.TB) *authorityRig {
	t.Helper()
	ca, err := testpki.NewCA("passd test CA")
	if err != nil {
		t.Fatal(err)
	}
	tc, err := ca.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Config{Dir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RetryAfter: time.Second, TLS: tc})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	a := &authorityRig{srv: s, direct: "https://" + ln.Addr().String(), ca: ca}
	cert, err := ca.Issue(testpki.Loopback...)
	if err != nil {
		t.Fatal(err)
	}
	if a.proxy, err = faultproxy.NewTLS(a.direct, faultproxy.TLS{Cert: cert, UpstreamRoots: ca.Pool()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.proxy.Close()
		stop()
		if err := <-served; err != nil {
			t.Errorf("passd serve: %v", err)
		}
		s.Close()
	})
	dir := t.TempDir()
	a.caFile = filepath.Join(dir, "server-ca.pem")
	if err := ca.WritePEM(a.caFile); err != nil {
		t.Fatal(err)
	}
	a.credFile = a.issueCredential(t)
	return a
}

// issueCredential has passd issue the kiosk a credential and writes it to
// a file only its owner reads, as the kiosk's installer does.
func (a *authorityRig) issueCredential(t testing.TB) string {
	t.Helper()
	token, err := a.srv.AddKiosk(context.Background(), venue, kioskID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(t.TempDir(), "kiosk-*.credential")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// client is the kiosk's client for url, pinning the authority's CA and
// carrying the kiosk's credential.
func (a *authorityRig) client(t testing.TB, url string) *remote.Client {
	t.Helper()
	c, err := remote.New(url, remote.Options{ServerCA: a.caFile, CredentialFile: a.credFile})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pass enrolls a new holder and returns a fresh QR text.
func (a *authorityRig) pass(t testing.TB) string {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	iss, err := a.srv.Authority().Enroll(context.Background(), authority.Enrollment{
		Name: "홍길동", BirthYear: 1990, Status: pass.Vaccinated, HolderKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	text, err := pass.Present(iss.Credential, key, time.Now().Unix())
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// registered counts the kiosk's entries in the central register.
func (a *authorityRig) registered(t testing.TB) int {
	n, err := a.srv.Authority().Store().CountEntries(context.Background(), venue, kioskID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// switchable is a Service whose client the test can swap (a bad DNS name,
// then the right one).
type switchable struct{ c atomic.Pointer[remote.Client] }

func (s *switchable) Verify(ctx context.Context, c app.Check) (app.OnlineVerdict, error) {
	return s.c.Load().Verify(ctx, c)
}
func (s *switchable) Upload(ctx context.Context, v, k string, es []app.Entry) error {
	return s.c.Load().Upload(ctx, v, k, es)
}
func (s *switchable) FetchList(ctx context.Context, kind app.ListKind, etag string) (app.ListDoc, error) {
	return s.c.Load().FetchList(ctx, kind, etag)
}
func (s *switchable) Health(ctx context.Context) error    { return s.c.Load().Health(ctx) }
func (s *switchable) Clock() (time.Time, time.Time, bool) { return s.c.Load().Clock() }

type kioskRig struct {
	updates atomic.Int64 // list_updated events
	dir     string
	ledger  *storage.Ledger
	svc     *switchable
	lists   app.ListStore
	e       *app.Engine
}

// ledgerDir is a folder for a kiosk's ledger: on tmpfs (/dev/shm) where
// there is one, since these tests time the link and the shared disk's
// fsync alone can take hundreds of milliseconds; else a temporary folder.
func ledgerDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "passdesk-kiosk-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// openKiosk opens a kiosk on dir talking to url.
func openKiosk(t testing.TB, a *authorityRig, dir, url string) *kioskRig {
	t.Helper()
	return openKioskWith(t, a, dir, url, deadline, nil)
}

func openKioskWith(t testing.TB, a *authorityRig, dir, url string, deadline time.Duration, tune func(*app.Timing)) *kioskRig {
	t.Helper()
	l, err := storage.Open(dir, storage.Options{VenueID: venue, KioskID: kioskID})
	if err != nil {
		t.Fatal(err)
	}
	lists, err := listfile.Open(filepath.Join(dir, "lists"))
	if err != nil {
		t.Fatal(err)
	}
	sw := &switchable{}
	sw.c.Store(a.client(t, url))
	cfg := app.DefaultConfig()
	cfg.ServerURL, cfg.Roots, cfg.VenueID, cfg.KioskID, cfg.Deadline = url, []string{a.srv.RootKey()}, venue, kioskID, deadline
	k := &kioskRig{dir: dir, ledger: l, svc: sw, lists: lists}
	timing := app.Timing{ProbeEvery: 50 * time.Millisecond, ProbeMax: 200 * time.Millisecond, ProbeTimeout: deadline,
		SyncEvery: 100 * time.Millisecond, UploadTimeout: time.Second, UploadRate: 100, UploadIdle: 50 * time.Millisecond,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, RecoveryJitter: 10 * time.Millisecond}
	if tune != nil {
		tune(&timing)
	}
	e, err := app.New(cfg, app.Deps{Ledger: l, Records: l, People: l, Service: sw, Lists: lists,
		Events: func(ev app.Event) {
			if ev.Kind == app.EventListUpdated && ev.Detail == string(app.TrustListKind) {
				k.updates.Add(1)
			}
		},
		Timing: timing})
	if err != nil {
		t.Fatal(err)
	}
	e.Start(context.Background())
	k.e = e
	t.Cleanup(func() { k.close() })
	return k
}

func (k *kioskRig) close() {
	if k.e != nil {
		k.e.Close()
		k.ledger.Close()
		k.svc.c.Load().Close()
		k.e = nil
	}
}

func (k *kioskRig) scan(t *testing.T, a *authorityRig, wantMethod app.Method) app.Result {
	t.Helper()
	r := k.e.Scan(context.Background(), a.pass(t))
	if !r.Recorded || r.Entry.Outcome != app.Admit {
		t.Errorf("scan: %+v (%v)", r.Entry, r.Err)
	}
	if r.Entry.Method != wantMethod {
		t.Errorf("scan method %q, want %q (reason %s)", r.Entry.Method, wantMethod, r.Entry.Reason)
	}
	if r.Took > bound {
		t.Errorf("scan took %v, bound %v", r.Took, bound)
	}
	return r
}

// allUploaded waits until every ledger entry is in the register, once.
func (k *kioskRig) allUploaded(t *testing.T, a *authorityRig) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, "uploads", func() bool {
		p, _ := k.ledger.PendingUploads(ctx, 1000)
		return len(p) == 0
	})
	entries, total, err := k.ledger.List(ctx, app.Filter{Day: time.Now(), Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.registered(t); got != total {
		t.Errorf("register holds %d entries, ledger %d", got, total)
	}
	for _, e := range entries {
		if _, err := a.srv.Authority().Store().EntryByID(ctx, venue, kioskID, e.ID); err != nil {
			t.Errorf("entry %s (%s %s) not in the register: %v", e.ID, e.Method, e.Outcome, err)
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFaults(t *testing.T) {
	a := newAuthority(t)
	k := openKiosk(t, a, ledgerDir(t), a.proxy.URL())
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale && !k.e.Status().RevocationsStale })
	k.scan(t, a, app.Online)

	cases := []struct {
		name   string
		rule   faultproxy.Rule
		causes []string
	}{
		{"hanging", faultproxy.Rule{Fault: faultproxy.Hang}, []string{"timeout"}},
		{"answering after 2s", faultproxy.Rule{Fault: faultproxy.Slow, Delay: 2 * time.Second}, []string{"timeout"}},
		{"500s", faultproxy.Rule{Fault: faultproxy.Status, Code: 500}, []string{"http 500"}},
		{"429 with Retry-After", faultproxy.Rule{Fault: faultproxy.Status, Code: 429, RetryAfter: "1"}, []string{"http 429"}},
		{"connection resets", faultproxy.Rule{Fault: faultproxy.Reset}, []string{"connection reset"}},
		{"refused connections", faultproxy.Rule{Fault: faultproxy.Refuse}, []string{"connection refused", "connection reset"}},
		{"truncated JSON", faultproxy.Rule{Fault: faultproxy.Truncate}, []string{"unreadable answer"}},
		{"stalled TLS handshakes", faultproxy.Rule{Fault: faultproxy.StallHandshake}, []string{"timeout"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(outages(t, k))
			if err := a.proxy.Set(c.rule); err != nil {
				t.Fatal(err)
			}
			stalled := a.proxy.Stalled()
			if c.rule.Fault == faultproxy.StallHandshake {
				// A kept-alive connection would carry the first scan into
				// the hang, and the breaker, open after it, would keep
				// the next from dialling: the new handshake this case is
				// about might never be made.
				k.svc.c.Load().Close()
			}
			for range 3 {
				k.scan(t, a, app.Offline)
			}
			if c.rule.Fault == faultproxy.StallHandshake && a.proxy.Stalled() == stalled {
				t.Error("no TLS handshake was held: the fault happened only on old connections")
			}
			// The outage's start is written in the background.
			waitFor(t, "the outage in the ledger", func() bool { return len(outages(t, k)) >= before+1 })
			out := outages(t, k)
			if len(out) != before+1 {
				t.Fatalf("%d outages, want %d: %+v", len(out), before+1, out)
			}
			o := out[len(out)-1]
			if !containsStr(c.causes, o.Cause) || !o.End.IsZero() {
				t.Errorf("outage %+v, want cause in %v, ongoing", o, c.causes)
			}
			if st := k.e.Status(); st.Online || st.Pending == 0 {
				t.Errorf("status during the outage: %+v", st)
			}

			a.proxy.Set(faultproxy.Rule{})
			waitFor(t, "recovery", func() bool { return k.e.Status().Online })
			// The end is written in the background, off the breaker.
			waitFor(t, "the outage's end", func() bool { return !outages(t, k)[len(out)-1].End.IsZero() })
			k.scan(t, a, app.Online)
			k.allUploaded(t, a)
		})
	}

	t.Run("forged trust list", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		forged, err := pass.SignTrustList(other, pass.TrustList{Seq: 1000, IssuedAt: time.Now().Unix(), Expires: time.Now().Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		listRefused(t, a, k, forged)
	})
	t.Run("rolled-back trust list", func(t *testing.T) {
		doc := fetch(t, a)
		n := k.updates.Load()
		if _, err := a.srv.RotateIssuer(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the new trust list", func() bool { return k.updates.Load() > n })
		listRefused(t, a, k, doc)
	})
}

// listRefused serves doc as the trust list and checks that the kiosk
// refuses it, says so, keeps verifying, and takes the real one back.
func listRefused(t *testing.T, a *authorityRig, k *kioskRig, doc []byte) {
	t.Helper()
	held := k.e.Status().TrustListAt
	n := notices(k)
	a.proxy.Override(api.PathTrustList, doc)
	waitFor(t, "the refusal", func() bool { return notices(k) > n })
	if st := k.e.Status(); st.TrustListAt != held || st.TrustListStale {
		t.Errorf("trust list changed: %+v", st)
	}
	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Refuse})
	k.svc.c.Load().Close()
	waitFor(t, "outage", func() bool { return !k.e.Status().Online })
	k.scan(t, a, app.Offline) // the last good list still verifies
	a.proxy.Override(api.PathTrustList, nil)
	a.proxy.Set(faultproxy.Rule{})
	waitFor(t, "recovery", func() bool { return k.e.Status().Online })
	k.scan(t, a, app.Online)
}

func fetch(t *testing.T, a *authorityRig) []byte {
	c := a.client(t, a.direct)
	defer c.Close()
	d, err := c.FetchList(context.Background(), app.TrustListKind, "")
	if err != nil {
		t.Fatal(err)
	}
	return d.Doc
}

func notices(k *kioskRig) int { return len(k.e.Status().Notices) }

func outages(t *testing.T, k *kioskRig) []app.Outage {
	t.Helper()
	s, err := k.ledger.Summary(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s.Outages
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestBadDNSName(t *testing.T) {
	a := newAuthority(t)
	dir := ledgerDir(t)
	// The lists from a first run against the right address.
	k := openKiosk(t, a, dir, a.proxy.URL())
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale })
	k.close()

	k = openKiosk(t, a, dir, "https://no-such-host.invalid")
	for range 3 {
		k.scan(t, a, app.Offline)
	}
	waitFor(t, "outage", func() bool { return !k.e.Status().Online })
	out := outages(t, k)
	if len(out) != 1 || (out[0].Cause != "dns failure" && out[0].Cause != "timeout") {
		t.Errorf("outages %+v", out)
	}
	k.svc.c.Store(a.client(t, a.proxy.URL())) // the name resolves again
	waitFor(t, "recovery", func() bool { return k.e.Status().Online })
	k.scan(t, a, app.Online)
	k.allUploaded(t, a)
}

func TestRestartMidOutage(t *testing.T) {
	a := newAuthority(t)
	dir := ledgerDir(t)
	k := openKiosk(t, a, dir, a.proxy.URL())
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale })
	k.scan(t, a, app.Online)

	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Status, Code: 503})
	for range 4 {
		k.scan(t, a, app.Offline)
	}
	k.close() // the kiosk restarts in the middle of the outage

	k = openKiosk(t, a, dir, a.proxy.URL())
	for range 3 {
		k.scan(t, a, app.Offline)
	}
	if p, _ := k.ledger.PendingUploads(context.Background(), 100); len(p) < 7 {
		t.Errorf("%d entries pending, want at least 7", len(p))
	}
	a.proxy.Set(faultproxy.Rule{})
	waitFor(t, "recovery", func() bool { return k.e.Status().Online })
	k.allUploaded(t, a)
	if got := a.registered(t); got != 8 {
		t.Errorf("register holds %d entries, want 8", got)
	}
}

// An upload whose answer is lost (the register stored the batch, the kiosk
// never heard) is sent again and stored once.
func TestLostUploadAnswer(t *testing.T) {
	a := newAuthority(t)
	k := openKiosk(t, a, ledgerDir(t), a.proxy.URL())
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale })
	a.proxy.Set(faultproxy.Rule{Fault: faultproxy.Truncate, Paths: []string{api.PathEntries}})
	for range 3 {
		k.scan(t, a, app.Online)
	}
	waitFor(t, "a lost answer", func() bool { return a.registered(t) == 3 })
	if p, _ := k.ledger.PendingUploads(context.Background(), 100); len(p) == 0 {
		t.Fatal("entries marked uploaded without an answer")
	}
	a.proxy.Set(faultproxy.Rule{})
	k.allUploaded(t, a)
	if got := a.registered(t); got != 3 {
		t.Errorf("register holds %d entries, want 3", got)
	}
}
