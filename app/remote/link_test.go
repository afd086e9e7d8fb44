package remote_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"passdesk/api"
	"passdesk/app"
	"passdesk/app/apptest"
	"passdesk/app/remote"
	"passdesk/cmd/passd/store"
	"passdesk/internal/testpki"
	"passdesk/pass"
)

// credentialID is the public ID of the kiosk's credential in passd.
func (a *authorityRig) credentialID(t *testing.T) string {
	t.Helper()
	snap, err := a.srv.Authority().Store().Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range snap.Tokens {
		if tok.Kind == store.TokenKiosk && tok.VenueID == venue && tok.KioskID == kioskID && tok.Revoked == 0 {
			return tok.ID
		}
	}
	t.Fatal("the kiosk has no valid credential")
	return ""
}

func hasNotice(st app.Status, code app.NoticeCode) bool {
	for _, n := range st.Notices {
		if n.Code == code {
			return true
		}
	}
	return false
}

// A credential revoked while the kiosk runs is a configuration problem
// for the venue's IT person, not an outage: the service is up and
// answering, so the breaker stays closed, the kiosk's own verdict stands
// within the deadline, nothing is lost, and a new credential brings the
// kiosk back online with every entry in the register.
func TestRevokedCredential(t *testing.T) {
	ctx := context.Background()
	a := newAuthority(t)
	k := openKiosk(t, a, ledgerDir(t), a.proxy.URL())
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale && !k.e.Status().RevocationsStale })
	k.scan(t, a, app.Online)
	k.allUploaded(t, a)

	if err := a.srv.RevokeCredential(ctx, a.credentialID(t)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		k.scan(t, a, app.Offline) // the kiosk's own admit, the service not heard
	}
	_, err := k.svc.c.Load().Verify(ctx, app.Check{QR: a.pass(t), VenueID: venue, KioskID: kioskID, ScanID: "s"})
	if !errors.Is(err, app.ErrUnauthorized) {
		t.Errorf("verify with the revoked credential: %v, want app.ErrUnauthorized", err)
	}
	waitFor(t, "the credential notice", func() bool { return hasNotice(k.e.Status(), app.NoticeCredentialRejected) })
	if st := k.e.Status(); !st.Online || st.Pending == 0 {
		t.Errorf("status with a revoked credential: %+v", st)
	}
	if out := outages(t, k); len(out) != 0 {
		t.Errorf("a revoked credential recorded outages: %+v", out)
	}
	if got := a.registered(t); got != 1 {
		t.Errorf("register holds %d entries with the credential revoked, want 1", got)
	}

	a.credFile = a.issueCredential(t)
	k.svc.c.Load().Close()
	k.svc.c.Store(a.client(t, a.proxy.URL())) // the IT person installs the new one
	k.scan(t, a, app.Online)
	k.allUploaded(t, a)
	if got := a.registered(t); got != 5 {
		t.Errorf("register holds %d entries, want 5", got)
	}
}

// impostor is a TLS service on the kiosk's path that admits every pass and
// counts the requests that reach it and the credentials it was shown.
type impostor struct {
	ts       *httptest.Server
	requests atomic.Int64
	tokens   atomic.Int64
}

func newImpostor(t *testing.T, cert tls.Certificate) *impostor {
	t.Helper()
	im := &impostor{}
	im.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		im.requests.Add(1)
		if r.Header.Get(api.HeaderAuthorization) != "" {
			im.tokens.Add(1)
		}
		if r.URL.Path == api.PathVerify {
			json.NewEncoder(w).Encode(api.VerifyResponse{Verdict: "admit", Reason: "ok", Name: "anyone", Status: 1})
			return
		}
		w.Write([]byte(`{}`))
	}))
	im.ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	im.ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	im.ts.StartTLS()
	t.Cleanup(im.ts.Close)
	return im
}

// A service whose certificate the pinned CA did not sign for its address
// is refused before a word is exchanged: its admit never counts, the
// kiosk's credential is never shown to it, and the kiosk verifies alone.
func TestImpostorCertificateRefused(t *testing.T) {
	a := newAuthority(t)
	dir := ledgerDir(t)
	k := openKiosk(t, a, dir, a.proxy.URL()) // the lists, from the real service
	waitFor(t, "lists", func() bool { return !k.e.Status().TrustListStale })
	k.close()

	other, err := testpki.NewCA("passd test CA") // the same name, another key
	if err != nil {
		t.Fatal(err)
	}
	fromOther, err := other.Issue(testpki.Loopback...)
	if err != nil {
		t.Fatal(err)
	}
	otherName, err := a.ca.Issue("passd.example") // the pinned CA, for another service
	if err != nil {
		t.Fatal(err)
	}
	for name, cert := range map[string]tls.Certificate{
		"signed by another CA":                     fromOther,
		"signed by the pinned CA for another name": otherName,
	} {
		t.Run(name, func(t *testing.T) {
			im := newImpostor(t, cert)
			k := openKiosk(t, a, dir, im.ts.URL)
			ctx := context.Background()

			_, err := k.svc.c.Load().Verify(ctx, app.Check{QR: a.pass(t), VenueID: venue, KioskID: kioskID, ScanID: "s"})
			var refused *tls.CertificateVerificationError
			if !errors.As(err, &refused) {
				t.Errorf("verify through the impostor: %v, want the certificate refused", err)
			}
			if u := (*app.Unavailable)(nil); !errors.As(err, &u) || u.Cause != remote.CauseCertificate {
				t.Errorf("impostor recorded as %v, want the outage cause %q", err, remote.CauseCertificate)
			}
			forged, err := apptest.FlipByte(a.pass(t))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				r := k.e.Scan(ctx, forged)
				if r.Verdict.Admit || r.Entry.Method != app.Offline || r.Entry.Reason != string(pass.BadHolderSignature) {
					t.Errorf("forged pass through the impostor: %+v", r.Entry)
				}
				if r.Took > bound {
					t.Errorf("scan took %v, bound %v", r.Took, bound)
				}
				k.scan(t, a, app.Offline) // a good pass: the kiosk's own admit
			}
			if n := im.requests.Load(); n != 0 {
				t.Errorf("%d requests reached the impostor", n)
			}
			if n := im.tokens.Load(); n != 0 {
				t.Errorf("the impostor was shown the credential %d times", n)
			}
			k.close()
		})
	}
}
