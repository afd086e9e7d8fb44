// Package faultproxy is an HTTP proxy for tests that stands between the
// kiosk and the authority service and misbehaves on demand: it hangs,
// answers late, answers 500 or 429, resets connections, refuses them,
// truncates answers, or serves a document of the test's choosing (a forged
// or rolled-back list). In front of a TLS service (NewTLS) it terminates
// TLS with a certificate of its own, which the kiosk must verify as it
// would the service's, and speaks TLS to the service: every fault then
// happens on an authenticated link, as it would in a venue.
package faultproxy

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Fault is one way of misbehaving.
type Fault int

// Faults.
const (
	Pass     Fault = iota // forward faithfully
	Hang                  // never answer (until the client gives up)
	Slow                  // forward after Rule.Delay
	Status                // answer Rule.Code (with Rule.RetryAfter) at once
	Reset                 // reset the connection (TCP RST) without answering
	Truncate              // forward, but cut the answer's body in half
	Refuse                // close the listening socket: connections are refused
	// StallHandshake holds every new TLS handshake after the client's
	// hello and every request on a connection made before (a black hole
	// on the path). A plain HTTP proxy only hangs the requests.
	StallHandshake
)

// Rule is the proxy's behaviour; with Paths set, only those request paths
// misbehave and the others pass.
type Rule struct {
	Fault      Fault
	Delay      time.Duration
	Code       int
	RetryAfter string
	Paths      []string
}

// Proxy is a misbehaving proxy on a loopback port.
type Proxy struct {
	upstream *url.URL
	rp       *httputil.ReverseProxy
	addr     string
	tls      *tls.Config // the kiosk side's, nil for plain HTTP

	mu        sync.Mutex
	rule      Rule
	overrides map[string][]byte
	hits      map[string]int
	stalled   int // TLS handshakes held by StallHandshake
	srv       *http.Server
	ln        net.Listener
	closed    chan struct{}
}

// New starts a proxy in front of upstream ("http://127.0.0.1:1234").
func New(upstream string) (*Proxy, error) { return start(upstream, nil, nil) }

func start(upstream string, serverTLS *tls.Config, transport http.RoundTripper) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		upstream: u,
		addr:     ln.Addr().String(),

		overrides: make(map[string][]byte),
		hits:      make(map[string]int),
		closed:    make(chan struct{}),
	}
	if serverTLS != nil {
		p.tls = serverTLS.Clone()
		p.tls.GetConfigForClient = p.handshake
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = r.In.Host },
		Transport: transport,
		// A client that gave up is the point of most faults: not worth a log line.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.serve(ln)
	return p, nil
}

// URL is the proxy's address for the kiosk.
func (p *Proxy) URL() string {
	if p.tls != nil {
		return "https://" + p.addr
	}
	return "http://" + p.addr
}

// Set changes the behaviour from the next request on. Setting a rule other
// than Refuse after Refuse listens again on the same port.
func (p *Proxy) Set(r Rule) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule = r
	switch {
	case r.Fault == Refuse && p.ln != nil:
		srv := p.srv
		p.srv, p.ln = nil, nil
		srv.Close()
	case r.Fault != Refuse && p.ln == nil:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return err
		}
		p.serveLocked(ln)
	}
	return nil
}

// Override serves body (with a matching ETag) for a GET of path instead
// of the upstream's answer; nil removes the override.
func (p *Proxy) Override(path string, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if body == nil {
		delete(p.overrides, path)
		return
	}
	p.overrides[path] = body
}

// Hits returns how many requests for path reached the proxy.
func (p *Proxy) Hits(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// Stalled returns how many TLS handshakes StallHandshake has held.
func (p *Proxy) Stalled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stalled
}

// Close stops the proxy and releases hanging requests.
func (p *Proxy) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.closed:
		return nil
	default:
	}
	close(p.closed)
	if t, ok := p.rp.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	if p.srv != nil {
		p.srv.Close()
		p.srv, p.ln = nil, nil
	}
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serveLocked(ln)
}

func (p *Proxy) serveLocked(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(p.handle), ReadHeaderTimeout: 5 * time.Second,
		// Failed handshakes and gone clients are the point of the faults.
		ErrorLog: log.New(io.Discard, "", 0)}
	p.srv, p.ln = srv, ln
	if p.tls != nil {
		ln = tls.NewListener(ln, p.tls)
	}
	go srv.Serve(ln)
}

func (p *Proxy) handle(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	rule := p.rule
	body, override := p.overrides[r.URL.Path]
	p.mu.Unlock()
	if len(rule.Paths) > 0 && !contains(rule.Paths, r.URL.Path) {
		rule = Rule{}
	}
	switch rule.Fault {
	case Hang, StallHandshake:
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
		return
	case Slow:
		select {
		case <-time.After(rule.Delay):
		case <-r.Context().Done():
			return
		case <-p.closed:
			return
		}
	case Status:
		if rule.RetryAfter != "" {
			w.Header().Set("Retry-After", rule.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rule.Code)
		io.WriteString(w, `{"error":"fault injected: `+strconv.Itoa(rule.Code)+`"}`)
		return
	case Reset:
		reset(w)
		return
	}
	if override && r.Method == http.MethodGet {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/cose")
		w.Write(body)
		return
	}
	if rule.Fault == Truncate {
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		b := rec.Body.Bytes()
		w.Write(bytes.Clone(b[:len(b)/2]))
		return
	}
	p.rp.ServeHTTP(w, r)
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "faultproxy: connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	// Under TLS the reset is the TCP connection's, below the TLS
	// session: no close_notify, as when a middlebox or a crash cuts it.
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = nc.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
