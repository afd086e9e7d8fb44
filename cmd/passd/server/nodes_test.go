package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
	"passdesk/internal/pgtest"
	"passdesk/pass"
)

// node is one passd serve on the shared database.
type node struct {
	srv  *server.Server
	http *httptest.Server
}

// startNodes starts two nodes on one PostgreSQL database, each with its
// own data directory holding copies of the key files only.
func startNodes(t *testing.T, url string) (a, b node) {
	t.Helper()
	dirA, dirB := t.TempDir(), t.TempDir()
	if _, _, err := authority.Init(dirA, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	keys, _ := filepath.Glob(filepath.Join(dirA, "*.key"))
	for _, k := range keys {
		data, err := os.ReadFile(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dirB, filepath.Base(k)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	start := func(dir string, demo int) node {
		au, err := authority.OpenDB(dir, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(server.Config{Authority: au, DemoHolders: demo, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() {
			hs.Close()
			srv.Close()
			au.Close()
		})
		return node{srv: srv, http: hs}
	}
	return start(dirA, 3), start(dirB, 0)
}

// post sends a request; a request that got no answer is status 0.
func (n node) post(t *testing.T, path, token string, v any) (int, []byte) {
	body, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, n.http.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+token)
	resp, err := n.http.Client().Do(req)
	if err != nil {
		t.Log(err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (n node) verify(t *testing.T, token, qr string) api.VerifyResponse {
	t.Helper()
	code, b := n.post(t, api.PathVerify, token, api.VerifyRequest{QR: qr})
	var v api.VerifyResponse
	if code != 200 || json.Unmarshal(b, &v) != nil {
		t.Fatalf("verify = %d %s", code, b)
	}
	return v
}

func TestTwoNodesOnPostgres(t *testing.T) {
	c := pgtest.Start(t)
	a, b := startNodes(t, c.NewDatabase())
	ctx := context.Background()
	// Kiosks spread over both nodes: credentials made on either work on both.
	k1, err := a.srv.AddKiosk(ctx, "cafe-1", "door-1")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := b.srv.AddKiosk(ctx, "cafe-1", "door-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []node{a, b} {
		if err := n.srv.ReloadCredentials(ctx); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("one QR at two nodes is admitted once", func(t *testing.T) {
		qr, err := a.srv.DemoQR(ctx, "holder-1")
		if err != nil {
			t.Fatal(err)
		}
		if v := a.verify(t, k1, qr); v.Verdict != "admit" {
			t.Fatalf("door-1 at A = %+v", v)
		}
		if v := b.verify(t, k2, qr); v.Reason != api.ReasonReplayed {
			t.Errorf("door-2 at B = %+v, want replayed", v)
		}
		if v := b.verify(t, k1, qr); v.Verdict != "admit" {
			t.Errorf("door-1 again, at B = %+v, want admit (its own duplicate)", v)
		}
	})

	t.Run("entries uploaded to both are stored once", func(t *testing.T) {
		batch := api.EntriesRequest{Entries: []api.Entry{entry("n1"), entry("n2")}}
		code, body := a.post(t, api.PathEntries, k1, batch)
		code2, body2 := b.post(t, api.PathEntries, k1, batch)
		if code != 200 || code2 != 200 || !bytes.Contains(body2, []byte(`"duplicate":2`)) {
			t.Errorf("uploads = %d %s, %d %s; want the second all duplicates", code, body, code2, body2)
		}
		lie := api.EntriesRequest{Entries: []api.Entry{entry("n1")}}
		lie.Entries[0].Outcome = "deny"
		for name, n := range map[string]node{"A": a, "B": b} {
			if code, body := n.post(t, api.PathEntries, k1, lie); code != 409 {
				t.Errorf("conflicting entry at %s = %d %s, want 409", name, code, body)
			}
		}
		if n, _ := a.srv.Authority().Store().CountEntries(ctx, "cafe-1", "door-1"); n != 2 {
			t.Errorf("register holds %d, want 2", n)
		}
	})

	t.Run("enrollment at B with an operator credential made at A", func(t *testing.T) {
		op, err := a.srv.AddOperator(ctx, "desk")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.srv.ReloadCredentials(ctx); err != nil {
			t.Fatal(err)
		}
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		code, body := b.post(t, api.PathEnroll, op, signedEnroll(api.EnrollRequest{Name: "홍길동", Status: 1}, priv))
		var er api.EnrollResponse
		if code != 200 || json.Unmarshal(body, &er) != nil {
			t.Fatalf("enroll at B = %d %s", code, body)
		}
		qr, err := pass.Present(er.Credential, priv, time.Now().Unix())
		if err != nil {
			t.Fatal(err)
		}
		if v := a.verify(t, k1, qr); v.Verdict != "admit" {
			t.Errorf("credential enrolled at B, verified at A = %+v", v)
		}
		if code, body := a.post(t, api.PathEnroll, op, signedEnroll(api.EnrollRequest{Name: "X", Status: 2}, priv)); code != 409 {
			t.Errorf("the same key enrolled again at A = %d %s, want 409", code, body)
		}
	})

	t.Run("a revocation at A is applied by B within 1 s", func(t *testing.T) {
		ds, _ := a.srv.Authority().DemoHolders(ctx)
		if _, _, err := a.srv.Authority().Revoke(ctx, ds[1].CID, "test"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for {
			qr, _ := a.srv.DemoQR(ctx, ds[1].Label)
			if v := b.verify(t, k2, qr); v.Reason == "revoked" {
				break
			}
			if time.Since(start) > time.Second {
				t.Fatalf("B still admits a credential revoked at A %v ago", time.Since(start))
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("B denied the revoked credential %v after the revocation at A", time.Since(start).Round(time.Millisecond))
	})

	t.Run("a kiosk credential revoked at A is refused by B within 1 s", func(t *testing.T) {
		k3, err := a.srv.AddKiosk(ctx, "cafe-1", "door-3")
		if err != nil {
			t.Fatal(err)
		}
		qr, _ := a.srv.DemoQR(ctx, "stale") // answered 200 without a claim on holder-3, which door-2 shows below
		start := time.Now()
		for code, _ := b.post(t, api.PathVerify, k3, api.VerifyRequest{QR: qr}); code != 200; code, _ = b.post(t, api.PathVerify, k3, api.VerifyRequest{QR: qr}) {
			if time.Since(start) > time.Second {
				t.Fatalf("B refuses a credential made at A %v ago: %d", time.Since(start), code)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := a.srv.RevokeCredential(ctx, authority.TokenID(authority.HashToken(k3))); err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		for code, _ := b.post(t, api.PathVerify, k3, api.VerifyRequest{QR: qr}); code != 401; code, _ = b.post(t, api.PathVerify, k3, api.VerifyRequest{QR: qr}) {
			if time.Since(start) > time.Second {
				t.Fatalf("B still accepts a credential revoked at A %v ago", time.Since(start))
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("B refused the revoked kiosk credential %v after the revocation at A", time.Since(start).Round(time.Millisecond))
	})

	t.Run("PostgreSQL down for 5 s", func(t *testing.T) {
		outage(t, c, a, b, k1, k2)
	})
}

// outage runs kiosks against both nodes while PostgreSQL is stopped for
// 5 s: every verification is answered, every entry is stored once in the
// end (a kiosk retries a 503), none twice.
func outage(t *testing.T, c *pgtest.Cluster, a, b node, k1, k2 string) {
	ctx := context.Background()
	// The demo holders' keys are read now: a phone makes its QR without
	// the authority's database.
	ds, err := a.srv.Authority().DemoHolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qrOf := func(i int) string {
		qr, err := authority.DemoQR(ds[i], time.Now())
		if err != nil {
			t.Error(err)
		}
		return qr
	}
	var verified, unanswered, refused atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	sent := map[string][]string{}
	var mu sync.Mutex
	for i, kiosk := range []struct {
		n      node
		token  string
		name   string
		holder int // door-2 shows another holder: one QR at two doors is a replay
	}{{a, k1, "door-1", 0}, {b, k2, "door-2", 2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				code, body := kiosk.n.post(t, api.PathVerify, kiosk.token, api.VerifyRequest{QR: qrOf(kiosk.holder)})
				if code == 200 && bytes.Contains(body, []byte(`"admit"`)) {
					verified.Add(1)
				} else {
					unanswered.Add(1)
				}
				// Each scan's entry, retried until stored, as the kiosk's queue does.
				id := fmt.Sprintf("out-%d-%d", i, seq)
				for try := 0; ; try++ {
					code, body := kiosk.n.post(t, api.PathEntries, kiosk.token, api.EntriesRequest{Entries: []api.Entry{entry(id)}})
					if code == 200 {
						break
					}
					if code != 503 && code != 0 {
						t.Errorf("upload %s = %d %s, want 200 or 503", id, code, body)
						return
					}
					refused.Add(1)
					time.Sleep(100 * time.Millisecond)
				}
				mu.Lock()
				sent[kiosk.name] = append(sent[kiosk.name], id)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	c.Stop()
	down := time.Now()
	// Verifications go on while the database is down.
	for time.Since(down) < 5*time.Second {
		qr := qrOf(0) // holder-2 was revoked above
		for _, n := range []node{a, b} {
			if v := n.verify(t, k1, qr); v.Verdict != "admit" {
				t.Errorf("verify during the outage = %+v", v)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	body, _ := json.Marshal(api.EntriesRequest{Entries: []api.Entry{entry("probe")}})
	req, _ := http.NewRequest(http.MethodPost, b.http.URL+api.PathEntries, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+k2)
	if resp, err := b.http.Client().Do(req); err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("upload while the database is down = %v %v, want 503 with Retry-After", resp, err)
	} else {
		resp.Body.Close()
	}
	c.Start()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if unanswered.Load() != 0 {
		t.Errorf("%d verifications unanswered", unanswered.Load())
	}
	if refused.Load() == 0 {
		t.Error("no upload was refused with 503 while the database was down")
	}
	st := a.srv.Authority().Store()
	for kiosk, ids := range sent {
		for _, id := range ids {
			if _, err := st.EntryByID(ctx, "cafe-1", kiosk, id); err != nil {
				t.Errorf("entry %s of %s: %v", id, kiosk, err)
			}
		}
		before := map[string]int{"door-1": 2}[kiosk] // n1 and n2, above
		if n, _ := st.CountEntries(ctx, "cafe-1", kiosk); n != before+len(ids) {
			t.Errorf("%s: register holds %d entries, want %d", kiosk, n, before+len(ids))
		}
	}
	t.Logf("outage: %d verifications answered, %d uploads refused with 503 and retried", verified.Load(), refused.Load())
}
