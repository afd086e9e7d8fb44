package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// clock is an injected, settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// seoul is the kiosk's zone in tests (no daylight saving).
var seoul = time.FixedZone("KST", 9*3600)

// day0 is 2026-11-25 00:00 KST.
var day0 = time.Date(2026, 11, 25, 0, 0, 0, 0, seoul)

// testOptions are cheap PIN hashing and a fixed zone.
func testOptions(c *clock) storage.Options {
	return storage.Options{
		Now: c.Now, VenueID: "venue-1", KioskID: "kiosk-1",
		Location: seoul, PINMemoryKiB: 256,
	}
}

// mustOpen opens a ledger in dir and closes it when the test ends.
func mustOpen(t testing.TB, dir string, opts storage.Options) *storage.Ledger {
	t.Helper()
	l, err := storage.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// scan makes a scan entry.
func scan(i int, at time.Time, outcome app.Outcome, method app.Method) app.Entry {
	reason := "ok"
	if outcome == app.Deny {
		reason = "qr_expired"
	}
	return app.Entry{
		ID: fmt.Sprintf("scan-%06d", i), Time: at, Outcome: outcome, Method: method,
		Reason: reason, Scheme: "PD1", Issuer: "KR-KDCA", Status: 1, Name: "홍*동",
		CID: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		Sub: []byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, byte(i)},
	}
}

// manual makes a manual entry.
func manual(i int, at time.Time, phone string) app.Entry {
	return app.Entry{
		ID: fmt.Sprintf("manual-%06d", i), Time: at, Outcome: app.Admit, Method: app.Manual,
		VisitorName: "김민수", Phone: phone, ManualReason: app.ReasonOutage,
		Staff: "이지은", Note: "서버 응답 없음",
	}
}

func mustRecord(t testing.TB, l *storage.Ledger, e app.Entry) app.Entry {
	t.Helper()
	got, err := l.Record(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
