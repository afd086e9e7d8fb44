// Package remote is the kiosk's client for the authority's HTTP service
// (cmd/passd/api): online verification, the entries register, the signed
// lists and the health probe. It satisfies app.Service and sorts every
// failure into the words an outage is recorded with.
package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"passdesk/api"
	"passdesk/app"
)

// Limits on answer sizes: a list of a few thousand keys or revocations
// fits easily; anything larger is not an answer from the authority.
const (
	maxJSON = 1 << 20
	maxList = 8 << 20
)

// Options tune a Client.
type Options struct {
	// HTTPClient replaces the default client (tests, proxies).
	HTTPClient *http.Client
	// Now is the kiosk's clock, compared with the service's Date header.
	Now func() time.Time
	// ServerCA is a PEM file of the CA (or the certificate itself) the
	// service's certificate must chain to; empty uses the system roots.
	ServerCA string
	// CredentialFile holds the kiosk's bearer token (`passd kiosk add`),
	// readable by its owner only; empty sends no credential.
	CredentialFile string
}

// Client talks to one authority service.
type Client struct {
	base  string
	hc    *http.Client
	now   func() time.Time
	token string // the bearer token, "" for none

	mu    sync.Mutex
	date  time.Time // the service's clock in its latest answer
	local time.Time // the kiosk's clock when that answer came
}

var _ app.Service = (*Client)(nil)

// New makes a client for the service at serverURL: https://, or plain
// http:// to this machine only (app.CheckServerURL).
func New(serverURL string, o Options) (*Client, error) {
	if serverURL == "" {
		return nil, errors.New("no service address")
	}
	if err := app.CheckServerURL(serverURL); err != nil {
		return nil, err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: strings.TrimRight(u.String(), "/"), hc: o.HTTPClient, now: o.Now}
	if o.CredentialFile != "" {
		if c.token, err = ReadCredential(o.CredentialFile); err != nil {
			return nil, err
		}
	}
	if c.hc == nil {
		tc, err := TLSConfig(o.ServerCA)
		if err != nil {
			return nil, err
		}
		c.hc = &http.Client{
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				TLSClientConfig:     tc,
				MaxIdleConnsPerHost: 8,
				IdleConnTimeout:     60 * time.Second,
				TLSHandshakeTimeout: 5 * time.Second,
				ForceAttemptHTTP2:   true,
			},
			// A redirect could carry the credential elsewhere, or to
			// plain http: the service's address is the configured one.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Close drops idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// Verify asks for an online verdict.
func (c *Client) Verify(ctx context.Context, q app.Check) (app.OnlineVerdict, error) {
	var resp api.VerifyResponse
	req := api.VerifyRequest{QR: q.QR, VenueID: q.VenueID, KioskID: q.KioskID, ScanID: q.ScanID}
	if err := c.postJSON(ctx, api.PathVerify, req, &resp); err != nil {
		return app.OnlineVerdict{}, err
	}
	if resp.Verdict != "admit" && resp.Verdict != "deny" {
		return app.OnlineVerdict{}, &app.Unavailable{Cause: "unreadable answer", Err: fmt.Errorf("verdict %q", resp.Verdict)}
	}
	return app.OnlineVerdict{Admit: resp.Verdict == "admit", Reason: resp.Reason, Name: resp.Name, Status: resp.Status, CID: resp.CID}, nil
}

// Upload sends entries to the central register. Visitors' names and
// phones stay at the venue: only what the register needs is sent.
func (c *Client) Upload(ctx context.Context, venueID, kioskID string, entries []app.Entry) error {
	req := api.EntriesRequest{VenueID: venueID, KioskID: kioskID, Entries: make([]api.Entry, len(entries))}
	for i, e := range entries {
		req.Entries[i] = api.Entry{
			ID: e.ID, Time: e.Time.Unix(), Outcome: string(e.Outcome), Method: string(e.Method), Reason: clean(e.Reason),
			Scheme: clean(e.Scheme), Issuer: clean(e.Issuer), Status: min(max(e.Status, 0), 255),
			ManualReason: clean(string(e.ManualReason)), OutageID: max(e.OutageID, 0),
		}
		if len(e.CID) == 16 {
			req.Entries[i].CID = e.CID
		}
	}
	var resp api.EntriesResponse
	return c.postJSON(ctx, api.PathEntries, req, &resp)
}

// clean keeps a text field within what the register takes (UTF-8, no
// control characters, at most 128 bytes), so that one odd entry (an
// issuer name from a foreign pass) cannot block the upload queue.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	for len(s) > 128 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// FetchList fetches a signed list with If-None-Match.
func (c *Client) FetchList(ctx context.Context, kind app.ListKind, etag string) (app.ListDoc, error) {
	path := api.PathTrustList
	if kind == app.RevocationsKind {
		path = api.PathRevocations
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return app.ListDoc{}, err
	}
	req.Header.Set("Accept", api.ContentTypeCOSE)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, body, err := c.do(req, maxList)
	if err != nil {
		return app.ListDoc{}, err
	}
	if resp.StatusCode == http.StatusNotModified {
		return app.ListDoc{ETag: etag, NotModified: true}, nil
	}
	if err := status(resp, body); err != nil {
		return app.ListDoc{}, err
	}
	if len(body) == 0 {
		return app.ListDoc{}, &app.Unavailable{Cause: "unreadable answer", Err: errors.New("empty list")}
	}
	return app.ListDoc{Doc: body, ETag: resp.Header.Get("ETag")}, nil
}

// Health is the breaker's probe.
func (c *Client) Health(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+api.PathHealth, nil)
	if err != nil {
		return err
	}
	resp, body, err := c.do(req, maxJSON)
	if err != nil {
		return err
	}
	if err := status(resp, body); err != nil {
		return err
	}
	// Only the service's own answer counts, whole: a captive portal's page
	// with 200 to every request, or a service that cuts its answers short,
	// is not the service coming back.
	var h api.Health
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &h) != nil || h.Status != api.HealthOK {
		return &app.Unavailable{Cause: "not the service's answer", Err: errors.New("the health answer is not the service's (a captive portal or proxy in the way?)")}
	}
	return nil
}

// Clock returns the service's clock from its latest answer and the
// kiosk's clock at that moment.
func (c *Client) Clock() (service, local time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.date, c.local, !c.date.IsZero()
}

func (c *Client) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+c.token)
	}
	resp, body, err := c.do(req, maxJSON)
	if err != nil {
		return err
	}
	if err := status(resp, body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &app.Unavailable{Cause: "unreadable answer", Err: err}
	}
	return nil
}

// do sends req and reads the whole answer (at most limit bytes), noting
// the service's clock.
func (c *Client) do(req *http.Request, limit int64) (*http.Response, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		if req.Context().Err() == context.Canceled {
			return nil, nil, err // the kiosk gave up; says nothing of the service
		}
		return nil, nil, classify(req.Context(), err)
	}
	defer resp.Body.Close()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		c.mu.Lock()
		c.date, c.local = d, c.now()
		c.mu.Unlock()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		u := classify(req.Context(), err)
		if u.Cause != "timeout" {
			u.Cause = "unreadable answer"
		}
		return nil, nil, u
	}
	if int64(len(body)) > limit {
		return nil, nil, &app.Unavailable{Cause: "unreadable answer", Err: fmt.Errorf("answer over %d bytes", limit)}
	}
	return resp, body, nil
}

// status turns an HTTP status into an error: 429 and 5xx (and other
// surprises) say the service could not be used; another 4xx is the
// kiosk's own mistake.
func status(resp *http.Response, body []byte) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	msg := http.StatusText(code)
	var e api.Error
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	err := fmt.Errorf("http %d: %s", code, msg)
	if code == http.StatusUnauthorized {
		return fmt.Errorf("%w (%v)", app.ErrUnauthorized, err)
	}
	if code == http.StatusTooManyRequests || code >= 500 || code < 200 || (code >= 300 && code < 400) {
		return &app.Unavailable{Cause: "http " + strconv.Itoa(code), RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Err: err}
	}
	return err
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, 10*time.Minute)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(time.Until(t), 0), 10*time.Minute)
	}
	return 0
}

// CauseCertificate is the outage cause of a service whose certificate the
// kiosk refused (not signed by server_ca or the system roots, or for
// another name): never a plain network error.
const CauseCertificate = "certificate refused"

// classify names a transport failure the way outages are recorded.
func classify(ctx context.Context, err error) *app.Unavailable {
	var dns *net.DNSError
	var ne net.Error
	var cert *tls.CertificateVerificationError
	cause := "network error"
	switch {
	case errors.As(err, &cert):
		// Someone answered for the service with a certificate the kiosk
		// does not trust: an impostor on the path, or a wrong server_ca.
		cause = CauseCertificate
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		cause = "timeout"
	case errors.As(err, &dns):
		cause = "dns failure"
	case errors.Is(err, syscall.ECONNREFUSED):
		cause = "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE):
		cause = "connection reset"
	case errors.As(err, &ne) && ne.Timeout():
		cause = "timeout"
	}
	return &app.Unavailable{Cause: cause, Err: err}
}
