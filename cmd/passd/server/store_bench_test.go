package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
	"passdesk/cmd/passd/store"
	"passdesk/internal/pgtest"
)

// BenchmarkStores puts SQLite and PostgreSQL side by side: saturated
// verifications through the handler (credential check, pass.Verify, live
// revocation, the one-time-use claim: in memory on SQLite, a round trip
// on PostgreSQL), reported per core, and register inserts in batches of
// 100 entries. PostgreSQL runs on the same machine, so its own CPU use
// is part of the figure; it runs with fsync on, as SQLite runs with
// synchronous=FULL.
func BenchmarkStores(b *testing.B) {
	outer := b
	var cluster *pgtest.Cluster // started with b: a sub-benchmark's cleanup runs after each of its rounds
	for _, kind := range []string{"sqlite", "postgres"} {
		open := func(b *testing.B) *authority.Authority {
			dir := b.TempDir()
			if _, _, err := authority.Init(dir, "", time.Now()); err != nil {
				b.Fatal(err)
			}
			url := ""
			if kind == "postgres" {
				if cluster == nil {
					cluster = pgtest.StartDurable(outer)
				}
				url = cluster.NewDatabase()
			}
			a, err := authority.OpenDB(dir, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { a.Close() })
			return a
		}
		b.Run(kind+"/verify", func(b *testing.B) { benchVerify(b, open(b)) })
		b.Run(kind+"/entries-batch-100", func(b *testing.B) { benchEntries(b, open(b).Store()) })
	}
}

func benchVerify(b *testing.B, a *authority.Authority) {
	now := time.Now()
	srv, err := server.New(server.Config{Authority: a, DemoHolders: 8, Logger: quietLogger(),
		Now: func() time.Time { return now }, MaxInFlight: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	token, err := srv.AddKiosk(context.Background(), "bench", "door-1")
	if err != nil {
		b.Fatal(err)
	}
	ds, err := a.DemoHolders(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	// Every holder's QR at every iat still fresh at now: distinct
	// presentations, each claimed in the one-time-use set.
	var bodies [][]byte
	for _, d := range ds {
		if d.Kind != store.DemoValid {
			continue
		}
		for age := range 20 {
			qr, err := authority.DemoQR(d, now.Add(time.Duration(-age)*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(api.VerifyRequest{QR: qr})
			bodies = append(bodies, body)
		}
	}
	h := srv.Handler()
	var next atomic.Int64
	// Many requests in flight per core, as a loaded server has, so that a
	// round trip to PostgreSQL waits while another request computes.
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bodies[next.Add(1)%int64(len(bodies))]
			req := httptest.NewRequest(http.MethodPost, api.PathVerify, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"admit"`)) {
				b.Fatalf("verify = %d %s", rec.Code, rec.Body)
			}
		}
	})
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)/el/float64(runtime.GOMAXPROCS(0)), "verifications/s/core")
}

func benchEntries(b *testing.B, st store.Store) {
	ctx := context.Background()
	batch := make([]store.Entry, 100)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for j := range batch {
			batch[j] = store.Entry{ID: fmt.Sprintf("e-%d-%d", i, j), Time: 1764072000, Outcome: "admit", Method: "online",
				Reason: "ok", Scheme: "PD1", Issuer: "KR-KDCA", Status: 1, CID: make([]byte, 16)}
		}
		if n, _, err := st.StoreEntries(ctx, "bench", "door-1", 1764072000, batch); err != nil || n != 100 {
			b.Fatalf("stored %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/time.Since(start).Seconds(), "entries/s")
}

// BenchmarkCredentialCheck is what authentication adds to every verify
// and entries request: reading the header, SHA-256 of the token, one map
// lookup.
func BenchmarkCredentialCheck(b *testing.B) {
	srv, err := server.New(server.Config{Dir: b.TempDir(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for i := range 1000 { // a country's worth of kiosks is a bigger map, not a slower lookup
		if _, err := srv.AddKiosk(context.Background(), "venue", fmt.Sprint("k", i)); err != nil {
			b.Fatal(err)
		}
	}
	token, _ := srv.AddKiosk(context.Background(), "venue", "door")
	req := httptest.NewRequest(http.MethodPost, api.PathVerify, nil)
	req.Header.Set(api.HeaderAuthorization, api.BearerPrefix+token)
	for b.Loop() {
		if err := srv.CheckKioskCredential(req); err != nil {
			b.Fatal(err)
		}
	}
}
