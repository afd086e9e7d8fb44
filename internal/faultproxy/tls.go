package faultproxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"time"
)

// TLS is how a proxy in front of a TLS service authenticates.
type TLS struct {
	// Cert is the proxy's own server certificate, shown to the kiosk.
	Cert tls.Certificate
	// UpstreamRoots verify the service's certificate.
	UpstreamRoots *x509.CertPool
}

// NewTLS starts a proxy that serves HTTPS (TLS 1.3, HTTP/1.1 so that a
// reset is a TCP reset) with o.Cert in front of the HTTPS service at
// upstream ("https://127.0.0.1:1234"), whose certificate must chain to
// o.UpstreamRoots.
func NewTLS(upstream string, o TLS) (*Proxy, error) {
	if len(o.Cert.Certificate) == 0 || o.UpstreamRoots == nil {
		return nil, errors.New("faultproxy: a TLS proxy needs its certificate and the service's roots")
	}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{o.Cert}, MinVersion: tls.VersionTLS13,
		NextProtos: []string{"http/1.1"}}
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: o.UpstreamRoots, MinVersion: tls.VersionTLS13},
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	return start(upstream, serverTLS, transport)
}

var errStalled = errors.New("faultproxy: handshake stalled")

// handshake holds a TLS handshake while the rule is StallHandshake: the
// client has sent its hello and hears nothing more. A handshake once held
// is then dropped, its client long gone.
func (p *Proxy) handshake(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for held := false; ; held = true {
		p.mu.Lock()
		stall := p.rule.Fault == StallHandshake
		if stall && !held {
			p.stalled++
		}
		p.mu.Unlock()
		if !stall {
			if held {
				return nil, errStalled
			}
			return nil, nil // the proxy's own configuration
		}
		select {
		case <-hello.Context().Done():
			return nil, errStalled
		case <-p.closed:
			return nil, errStalled
		case <-tick.C:
		}
	}
}
