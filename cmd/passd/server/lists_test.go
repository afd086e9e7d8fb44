package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

func TestListsETag(t *testing.T) {
	f := newFixture(t, 0)
	for _, path := range []string{api.PathTrustList, api.PathRevocations} {
		t.Run(path, func(t *testing.T) {
			resp, body := f.do("GET", path, "", nil)
			etag := resp.Header.Get("ETag")
			if resp.StatusCode != 200 || etag == "" || len(body) == 0 {
				t.Fatalf("GET = %d, ETag %q, %d bytes", resp.StatusCode, etag, len(body))
			}
			resp, body = f.do("GET", path, "", nil, "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etag {
				t.Errorf("If-None-Match same = %d, %d bytes, ETag %q; want 304, empty", resp.StatusCode, len(body), resp.Header.Get("ETag"))
			}
			resp, _ = f.do("GET", path, "", nil, "If-None-Match", `"other", W/`+etag)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match list with a weak match = %d, want 304", resp.StatusCode)
			}
			resp, body = f.do("GET", path, "", nil, "If-None-Match", `"other"`)
			if resp.StatusCode != 200 || len(body) == 0 {
				t.Errorf("If-None-Match other = %d, want 200 with the list", resp.StatusCode)
			}
			resp, _ = f.do("POST", path, "application/json", []byte(`{}`))
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST = %d, want 405", resp.StatusCode)
			}
		})
	}
}

func TestRevokeSeenThroughLists(t *testing.T) {
	f := newFixture(t, 1)
	qr := f.demoQR("holder-1")
	rl0, etag0 := f.revocations()
	_, v := f.verify(qr)
	if v.Verdict != "admit" {
		t.Fatalf("before revocation: %+v", v)
	}
	// passd revoke runs as another process on the same data directory.
	other, err := authority.Open(f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, _, err := other.Revoke(context.Background(), [16]byte(v.CID), "test"); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	rl1, etag1 := f.revocations()
	if rl1.Seq <= rl0.Seq || etag1 == etag0 {
		t.Errorf("revocation list seq %d -> %d, ETag %s -> %s: want both changed", rl0.Seq, rl1.Seq, etag0, etag1)
	}
	if !rl1.Contains(v.CID) {
		t.Errorf("revocation list %x does not name %x", rl1.CIDs, v.CID)
	}
	if _, v := f.verify(qr); v.Verdict != "deny" || v.Reason != string(pass.Revoked) {
		t.Errorf("after revocation: %+v, want deny revoked", v)
	}
	resp, _ := f.do("GET", api.PathRevocations, "", nil, "If-None-Match", etag0)
	if resp.StatusCode != 200 {
		t.Errorf("old ETag after revocation = %d, want 200", resp.StatusCode)
	}
}

func TestServerRevokeIsLive(t *testing.T) {
	f := newFixture(t, 1)
	qr := f.demoQR("holder-1")
	_, v := f.verify(qr)
	if err := f.srv.Revoke(context.Background(), [16]byte(v.CID)); err != nil {
		t.Fatal(err)
	}
	if _, v := f.verify(qr); v.Reason != string(pass.Revoked) {
		t.Errorf("after Server.Revoke: %s, want revoked", v.Reason)
	}
}

func TestRotateSeenThroughTrustList(t *testing.T) {
	f := newFixture(t, 1)
	oldQR := f.demoQR("holder-1")
	tl0, etag0 := f.trustList()
	if len(tl0.Keys) != 1 {
		t.Fatalf("trust list has %d keys, want 1", len(tl0.Keys))
	}
	kid, err := f.srv.RotateIssuer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tl1, etag1 := f.trustList()
	if tl1.Seq <= tl0.Seq || etag1 == etag0 {
		t.Errorf("trust list seq %d -> %d, ETag %s -> %s: want both changed", tl0.Seq, tl1.Seq, etag0, etag1)
	}
	if len(tl1.Keys) != 2 || tl1.Keys[0].Kid != tl0.Keys[0].Kid || tl1.Keys[1].Kid != kid {
		t.Errorf("trust list keys after rotation = %+v, want the old key then %x", tl1.Keys, kid)
	}
	// A credential the old key signed stays valid.
	if _, v := f.verify(oldQR); v.Verdict != "admit" {
		t.Errorf("old credential after rotation: %+v", v)
	}
	// A new enrollment is signed by the new key.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	resp, b := f.postJSON(api.PathEnroll, signedEnroll(api.EnrollRequest{Name: "홍길동", BirthYear: 1990, Status: 1}, priv))
	if resp.StatusCode != 200 {
		t.Fatalf("enroll = %d %s", resp.StatusCode, b)
	}
	var er api.EnrollResponse
	if err := json.Unmarshal(b, &er); err != nil {
		t.Fatal(err)
	}
	qr, err := pass.Present(er.Credential, priv, f.clock.Now().Unix())
	if err != nil {
		t.Fatal(err)
	}
	p, err := pass.Parse(qr)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kid != kid {
		t.Errorf("new credential kid = %x, want the new key %x", p.Kid, kid)
	}
	// The kiosk's own offline verification agrees with the lists served.
	if v := pass.Verify(qr, tl1, nil, pass.Policy{}, pass.Rules{}, f.clock.Now()); !v.Admit {
		t.Errorf("offline verdict with the served trust list: %s", v.Reason)
	}
}

func TestListsResignedBeforeExpiry(t *testing.T) {
	f := newFixture(t, 0)
	tl0, _ := f.trustList()
	rl0, _ := f.revocations()
	f.clock.Advance(authority.ListLifetime/2 + time.Minute)
	if err := f.srv.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tl1, _ := f.trustList()
	rl1, _ := f.revocations()
	if tl1.Seq <= tl0.Seq || tl1.Expires <= tl0.Expires {
		t.Errorf("trust list seq %d exp %d -> seq %d exp %d: want re-signed", tl0.Seq, tl0.Expires, tl1.Seq, tl1.Expires)
	}
	if rl1.Seq <= rl0.Seq || rl1.Expires <= rl0.Expires {
		t.Errorf("revocation list seq %d exp %d -> seq %d exp %d: want re-signed", rl0.Seq, rl0.Expires, rl1.Seq, rl1.Expires)
	}
	if tl1.Stale(f.clock.Now().Add(authority.ListLifetime / 2)) {
		t.Error("re-signed trust list goes stale too soon")
	}
}

// signedEnroll fills in req's holder key and its proof of possession.
func signedEnroll(req api.EnrollRequest, priv ed25519.PrivateKey) api.EnrollRequest {
	req.HolderPublicKey = priv.Public().(ed25519.PublicKey)
	req.Signature = ed25519.Sign(priv, api.EnrollSignedBytes(req))
	return req
}

func TestEnroll(t *testing.T) {
	f := newFixture(t, 0)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	resp, b := f.postJSON(api.PathEnroll, signedEnroll(api.EnrollRequest{Name: "홍길동", BirthYear: 1990, Status: 2}, priv))
	if resp.StatusCode != 200 {
		t.Fatalf("enroll = %d %s", resp.StatusCode, b)
	}
	var er api.EnrollResponse
	if err := json.Unmarshal(b, &er); err != nil {
		t.Fatal(err)
	}
	qr, err := pass.Present(er.Credential, priv, f.clock.Now().Unix())
	if err != nil {
		t.Fatal(err)
	}
	_, v := f.verify(qr)
	if v.Verdict != "admit" || v.Name != "홍*동" || v.Status != 2 || string(v.CID) != string(er.CID) {
		t.Errorf("verify enrolled = %+v, want admit 홍*동 status 2 cid %x", v, er.CID)
	}
	// Enrolling the same key again changes nothing: 409.
	resp, b = f.postJSON(api.PathEnroll, signedEnroll(api.EnrollRequest{Name: "홍길동", Status: 1}, priv))
	if resp.StatusCode != 409 {
		t.Errorf("second enrollment of one key = %d %s, want 409", resp.StatusCode, b)
	}

	_, other, _ := ed25519.GenerateKey(rand.Reader)
	signed := signedEnroll(api.EnrollRequest{Name: "A", Status: 1}, other)
	mod := func(fn func(r *api.EnrollRequest)) api.EnrollRequest { r := signed; fn(&r); return r }
	bad := []struct {
		name string
		req  api.EnrollRequest
	}{
		{"no name", signedEnroll(api.EnrollRequest{Status: 1}, other)},
		{"status 0", signedEnroll(api.EnrollRequest{Name: "A", Status: 0}, other)},
		{"status 257", signedEnroll(api.EnrollRequest{Name: "A", Status: 257}, other)},
		{"short key", mod(func(r *api.EnrollRequest) { r.HolderPublicKey = r.HolderPublicKey[:31] })},
		{"future birth year", signedEnroll(api.EnrollRequest{Name: "A", BirthYear: 3000, Status: 1}, other)},
		{"control characters", signedEnroll(api.EnrollRequest{Name: "A\x00B", Status: 1}, other)},
		{"no signature", mod(func(r *api.EnrollRequest) { r.Signature = nil })},
		{"signature over other content", mod(func(r *api.EnrollRequest) { r.Status = 2 })},
		{"another key's signature", mod(func(r *api.EnrollRequest) { r.HolderPublicKey = priv.Public().(ed25519.PublicKey) })},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.postJSON(api.PathEnroll, tt.req)
			var e api.Error
			if resp.StatusCode != 400 || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonBadRequest {
				t.Errorf("enroll = %d %s, want 400 bad_request", resp.StatusCode, b)
			}
		})
	}
}
