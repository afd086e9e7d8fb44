// Package server is passd's HTTP API (DESIGN.md "The authority service"):
// enrollment, the signed trust and revocation lists with ETags, online
// verification with live revocation, the idempotent entries register and
// the demo holders' page, behind an admission limit that sheds load with
// an immediate 429 instead of queueing.
//
// A test starts one in-process with New and serves Handler through
// httptest; passd serve runs one with Serve.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

// Config configures a Server. Only Dir (or Authority) is required.
type Config struct {
	// Dir is the data directory; New initializes it when it has no keys
	// yet. Ignored when Authority is set.
	Dir string
	// Authority is an already open data directory; the caller closes it.
	Authority *authority.Authority
	// DemoHolders, when positive, makes sure the data directory has that
	// many demo holders (plus the revoked and the stale one).
	DemoHolders int

	// Now is the clock (time.Now when nil); tests inject one.
	Now func() time.Time
	// Policy and Rules are what the service verifies with; the zero
	// values are the defaults (statuses 1-4, 15 s window, 5 s skew).
	Policy pass.Policy
	Rules  pass.Rules

	// MaxInFlight is the admission limit: requests served at once before
	// the next gets 429. Default DefaultInFlightPerCPU x GOMAXPROCS.
	MaxInFlight int
	// RetryAfter is what a 429 tells the client to wait (default 1 s).
	RetryAfter time.Duration
	// ShedTarget turns on shedding by queueing time: once requests have
	// waited longer than this for the CPU for a while, a POST that waited
	// longer is answered 429 before its body is read (see
	// sojournShedder). Zero leaves it off, so that tests on a loaded
	// machine see no 429 they did not ask for; passd serve uses
	// DefaultShedTarget. It needs the listener of Serve.
	ShedTarget time.Duration
	// ShedBurst is how long a request may wait when no queue has stood
	// (default the longer of 10 x ShedTarget and DefaultShedBurst).
	ShedBurst time.Duration
	// BodyTimeout is how long a request body may take to arrive, plus a
	// second per 128 KiB of it (default 1 s).
	BodyTimeout time.Duration
	// TLS, when set, makes Serve serve HTTPS with it (HTTP/1.1: each
	// connection's receive stamps then belong to one request at a time).
	TLS *tls.Config
	// MaxConns caps the connections open at once in Serve (default
	// DefaultMaxConns).
	MaxConns int
	// PollInterval is how often the database is checked for changes made
	// by other processes (passd revoke, passd rotate-issuer); default
	// 500 ms.
	PollInterval time.Duration
	// Logger receives structured logs (slog.Default when nil).
	Logger *slog.Logger
}

// DefaultInFlightPerCPU sizes the admission limit: enough requests in
// flight to keep every core busy while one waits on the network or the
// database, few enough that the last admitted one is still answered well
// within the latency target.
const DefaultInFlightPerCPU = 16

// DefaultShedTarget is passd serve's ShedTarget: the queue it keeps is
// about ten verifications per core long. With GOMAXPROCS=1 Go reads the
// network again only once its run queue is empty, so every request of a
// round waits about as long as the round takes, and the round holds what
// was admitted in the target before it: at three times saturation 1 ms
// cut 429 latencies against 2 ms (make bench-passd), but on a machine
// shared with other work it also shed four clients back to back, whose
// requests waited for the CPU the other work had: --shed-target 1ms is
// for a machine of its own. DefaultShedBurst is what a request may wait
// when no queue stands: a stall of a lightly loaded service (a GC,
// another process) sheds nothing short of it.
const (
	DefaultShedTarget = 2 * time.Millisecond
	DefaultShedBurst  = 20 * time.Millisecond
)

// DefaultMaxConns is the default cap on open connections: a kiosk keeps
// one, and each costs some 10 KiB.
const DefaultMaxConns = 8192

// Server is the authority's HTTP service.
type Server struct {
	cfg       Config
	auth      *authority.Authority
	ownAuth   bool
	log       *slog.Logger
	now       func() time.Time
	admission *admission
	kiosks    *credentials
	replays   *replaySet
	handler   http.Handler

	listener  atomic.Pointer[listener] // Serve's, for the health check
	refreshMu sync.Mutex
	lists     atomic.Pointer[lists]

	stopPoll  context.CancelFunc
	pollDone  chan struct{}
	closeOnce sync.Once
}

// New makes a Server: it opens (initializing when needed) the data
// directory, signs the lists and starts watching the database for changes.
// Close stops it.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultInFlightPerCPU * runtime.GOMAXPROCS(0)
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = time.Second
	}
	if cfg.ShedBurst <= 0 {
		cfg.ShedBurst = max(10*cfg.ShedTarget, DefaultShedBurst)
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 500 * time.Millisecond
	}
	s := &Server{cfg: cfg, auth: cfg.Authority, log: cfg.Logger, now: cfg.Now,
		admission: newAdmission(cfg.MaxInFlight, cfg.RetryAfter, cfg.BodyTimeout)}
	if s.auth == nil {
		if cfg.Dir == "" {
			return nil, errors.New("server: Config needs Dir or Authority")
		}
		if _, _, err := authority.Init(cfg.Dir, "", cfg.Now()); err != nil {
			return nil, err
		}
		a, err := authority.Open(cfg.Dir, cfg.Now)
		if err != nil {
			return nil, err
		}
		s.auth, s.ownAuth = a, true
	}
	fail := func(err error) (*Server, error) {
		if s.ownAuth {
			s.auth.Close()
		}
		return nil, err
	}
	ctx := context.Background()
	if cfg.DemoHolders > 0 {
		if _, err := s.auth.EnsureDemo(ctx, cfg.DemoHolders); err != nil {
			return fail(fmt.Errorf("demo holders: %w", err))
		}
	}
	kiosks, err := newCredentials(s.auth.Store(), filepath.Join(s.auth.Dir(), authority.KiosksFile), s.log)
	if err != nil {
		return fail(err)
	}
	s.kiosks, s.replays = kiosks, newReplaySet(s.auth.Store(), s.log)
	if err := s.refresh(ctx); err != nil {
		return fail(err)
	}
	s.handler = s.routes()
	s.admission.health = s.healthBody
	pollCtx, cancel := context.WithCancel(context.Background())
	s.stopPoll, s.pollDone = cancel, make(chan struct{})
	go s.poll(pollCtx)
	if cfg.ShedTarget > 0 {
		q := newSojournShedder(cfg.ShedTarget, cfg.ShedBurst, cfg.Now)
		q.onChange = func(standing bool, late, n int) {
			if standing {
				s.log.Warn("shedding load: requests wait for the CPU; those waiting longer than the target get 429",
					"target", cfg.ShedTarget, "late", late, "requests", n, "interval", shedInterval)
			} else {
				s.log.Info("load shedding over", "shed_total", q.shedded.Load())
			}
		}
		s.admission.queue = q
	}
	return s, nil
}

// Close stops watching the database and closes the data directory if New
// opened it.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stopPoll()
		<-s.pollDone
		if s.ownAuth {
			err = s.auth.Close()
		}
	})
	return err
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

// Authority is the data directory the server serves.
func (s *Server) Authority() *authority.Authority { return s.auth }

// RootKey is the root public key kiosks pin, base64url.
func (s *Server) RootKey() string { return pass.EncodeRootKey(s.auth.RootPublic()) }

// Refresh brings the served lists and the live revocation set up to date
// with the database at once, instead of at the next poll.
func (s *Server) Refresh(ctx context.Context) error { return s.refresh(ctx) }

// Revoke revokes a credential and makes the lists and live revocation
// show it at once.
func (s *Server) Revoke(ctx context.Context, cid [16]byte) error {
	if _, _, err := s.auth.Revoke(ctx, cid, "revoked through the server"); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// RotateIssuer makes a new current issuer key and signs the trust list
// again at once.
func (s *Server) RotateIssuer(ctx context.Context) ([8]byte, error) {
	kid, err := s.auth.RotateIssuer(ctx)
	if err != nil {
		return kid, err
	}
	return kid, s.refresh(ctx)
}

// DemoQR makes a fresh QR text, as of the server's clock, for the demo
// holder with this label ("holder-1", ..., "revoked", "stale").
func (s *Server) DemoQR(ctx context.Context, label string) (string, error) {
	ds, err := s.auth.DemoHolders(ctx)
	if err != nil {
		return "", err
	}
	for _, d := range ds {
		if d.Label == label {
			return authority.DemoQR(d, s.now())
		}
	}
	return "", fmt.Errorf("no demo holder %q", label)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(api.PathEnroll, s.method(http.MethodPost, s.handleEnroll))
	mux.HandleFunc(api.PathTrustList, s.method(http.MethodGet, s.handleTrustList))
	mux.HandleFunc(api.PathRevocations, s.method(http.MethodGet, s.handleRevocations))
	mux.HandleFunc(api.PathVerify, s.method(http.MethodPost, s.handleVerify))
	mux.HandleFunc(api.PathEntries, s.method(http.MethodPost, s.handleEntries))
	mux.HandleFunc(api.PathDemoPasses, s.method(http.MethodGet, s.handleDemoPasses))
	mux.HandleFunc("/demo", s.method(http.MethodGet, s.handleDemoPage))
	mux.HandleFunc("/demo/qr/{file}", s.method(http.MethodGet, s.handleDemoQR))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, api.ReasonNotFound, "no such path %s", r.URL.Path))
	})
	admitted := s.admission.wrap(mux)

	top := http.NewServeMux()
	// The health check stays outside the admission limit so that an
	// overloaded service still says it is alive.
	top.HandleFunc(api.PathHealth, s.method(http.MethodGet, s.handleHealth))
	top.Handle("/", admitted)
	return top
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSONBytes(w, http.StatusOK, s.healthBody())
	if arrived, _ := arrivalOf(r.Context()); !arrived.IsZero() {
		s.admission.healthWait.add(time.Since(arrived))
	}
}

// healthBody is the health check's JSON: what handleHealth and the front
// door answer.
func (s *Server) healthBody() []byte {
	l := s.lists.Load()
	h := map[string]any{
		"status":          "ok",
		"in_flight":       s.admission.inFlight(),
		"max_in_flight":   cap(s.admission.slots),
		"trust_list_seq":  l.trust.seq,
		"revocations_seq": l.revs.seq,
	}
	if q := s.admission.queue; q != nil {
		h["shedding"], h["shed_total"] = q.isStand.Load(), q.shedded.Load()
		h["shed_at_door"], h["shed_swept"] = s.admission.doorShed.Load(), s.admission.swept.Load()
	}
	// From arrival to answer, as passd sees it (bucket upper bounds).
	if a := s.admission; a.servedWait.count() > 0 {
		h["post_p99_ms"], h["post_429_p99_ms"] = a.servedWait.quantile(0.99), a.shedWait.quantile(0.99)
	}
	if a := s.admission; a.healthWait.count() > 0 {
		h["health_p99_ms"], h["health_max_ms"] = a.healthWait.quantile(0.99), a.healthWait.most()
	}
	if ln := s.listener.Load(); ln != nil {
		h["conns"], h["conns_refused"] = ln.open.Load(), ln.refused.Load()
	}
	b, err := json.Marshal(h)
	if err != nil {
		return []byte(`{"status":"ok"}`) // cannot be: the values are numbers and strings
	}
	return b
}

// HTTPServer is an http.Server for the API with the timeouts a public
// service needs: a slow or stalled client cannot hold a connection.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: doorHeaderTimeout,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       doorIdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ConnContext:       withConn,
		ConnState:         connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves the API on ln until ctx ends, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (up to 10 s) and
// returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer(ln.Addr().String())
	var tc *tls.Config
	if s.cfg.TLS != nil {
		tc = s.cfg.TLS.Clone()
		tc.NextProtos = []string{"http/1.1"}
	}
	counted := newListener(ln, s.cfg.MaxConns, tc, s.admission, hs.ErrorLog.Printf)
	s.listener.Store(counted)
	ln = counted
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "addr", ln.Addr().String())
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
