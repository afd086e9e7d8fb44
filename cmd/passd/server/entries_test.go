package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/server"
)

func entry(id string) api.Entry {
	return api.Entry{ID: id, Time: 1764072000, Outcome: "admit", Method: "online", Reason: "ok",
		Scheme: "PD1", Issuer: "KR-KDCA", Status: 1, CID: make([]byte, 16)}
}

func (f *fixture) upload(req api.EntriesRequest) (int, api.EntriesResponse, api.Error) {
	f.t.Helper()
	resp, b := f.postJSON(api.PathEntries, req)
	var ok api.EntriesResponse
	var e api.Error
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &ok); err != nil {
			f.t.Fatalf("entries answer %s: %v", b, err)
		}
	} else if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		f.t.Fatalf("entries error %d %s is not a JSON error", resp.StatusCode, b)
	}
	return resp.StatusCode, ok, e
}

func (f *fixture) stored(venue, kiosk string) int {
	f.t.Helper()
	n, err := f.srv.Authority().Store().CountEntries(context.Background(), venue, kiosk)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestEntriesIdempotent(t *testing.T) {
	f := newFixture(t, 0)
	batch := api.EntriesRequest{VenueID: "cafe-1", KioskID: "door-1",
		Entries: []api.Entry{entry("e1"), entry("e2"), entry("e3")}}
	code, r, _ := f.upload(batch)
	if code != 200 || r.Stored != 3 || r.Duplicate != 0 {
		t.Errorf("first upload = %d %+v, want 3 stored", code, r)
	}
	code, r, _ = f.upload(batch)
	if code != 200 || r.Stored != 0 || r.Duplicate != 3 {
		t.Errorf("replayed upload = %d %+v, want 3 duplicates", code, r)
	}
	batch.Entries = append(batch.Entries, entry("e4"))
	code, r, _ = f.upload(batch)
	if code != 200 || r.Stored != 1 || r.Duplicate != 3 {
		t.Errorf("overlapping upload = %d %+v, want 1 stored 3 duplicates", code, r)
	}
	if n := f.stored("cafe-1", "door-1"); n != 4 {
		t.Errorf("register holds %d entries, want 4", n)
	}
}

func TestEntriesBadInput(t *testing.T) {
	f := newFixture(t, 0)
	good := entry("ok")
	mod := func(fn func(e *api.Entry)) api.Entry { e := entry("x"); fn(&e); return e }
	tests := []struct {
		name   string
		req    api.EntriesRequest
		status int
		reason string
	}{
		{"no kiosk", api.EntriesRequest{VenueID: "cafe-1", Entries: []api.Entry{good}}, 400, api.ReasonBadRequest},
		{"bad venue", api.EntriesRequest{VenueID: "cafe\n1", KioskID: "k", Entries: []api.Entry{good}}, 400, api.ReasonBadRequest},
		{"long kiosk", api.EntriesRequest{VenueID: "v", KioskID: strings.Repeat("k", 65), Entries: []api.Entry{good}}, 400, api.ReasonBadRequest},
		{"no entry ID", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{good, mod(func(e *api.Entry) { e.ID = "" })}}, 400, api.ReasonBadRequest},
		{"bad outcome", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{good, mod(func(e *api.Entry) { e.Outcome = "maybe" })}}, 400, api.ReasonBadRequest},
		{"bad method", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{mod(func(e *api.Entry) { e.Method = "" })}}, 400, api.ReasonBadRequest},
		{"short cid", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{mod(func(e *api.Entry) { e.CID = []byte{1} })}}, 400, api.ReasonBadRequest},
		{"no time", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{mod(func(e *api.Entry) { e.Time = 0 })}}, 400, api.ReasonBadRequest},
		{"long reason", api.EntriesRequest{VenueID: "v", KioskID: "k", Entries: []api.Entry{mod(func(e *api.Entry) { e.Reason = strings.Repeat("r", 200) })}}, 400, api.ReasonBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, e := f.upload(tt.req)
			if code != tt.status || e.Reason != tt.reason {
				t.Errorf("upload = %d %+v, want %d %s", code, e, tt.status, tt.reason)
			}
		})
	}
	// A batch with one bad entry stores nothing at all.
	if n := f.stored("v", "k"); n != 0 {
		t.Errorf("register holds %d entries after refused batches, want 0", n)
	}

	many := api.EntriesRequest{VenueID: "v", KioskID: "k"}
	for i := range 1001 {
		many.Entries = append(many.Entries, entry(fmt.Sprint(i)))
	}
	if code, _, e := f.upload(many); code != 413 || e.Reason != api.ReasonBodyTooLarge {
		t.Errorf("1001 entries = %d %+v, want 413", code, e)
	}
	resp, b := f.do("POST", api.PathEntries, "application/json", []byte(`{"venue_id":"v","kiosk_id":"k","entries":[{"id":"a","extra":1}]}`))
	if resp.StatusCode != 400 {
		t.Errorf("unknown entry field = %d %s, want 400", resp.StatusCode, b)
	}
	resp, _ = f.do("POST", api.PathEntries, "application/json", []byte(strings.Repeat(" ", 2<<20)))
	if resp.StatusCode != 413 {
		t.Errorf("2 MB body = %d, want 413", resp.StatusCode)
	}
}

func TestKioskAllowList(t *testing.T) {
	f := newFixture(t, 1)
	list := "# kiosks of this service\ncafe-1 door-1\nhall-2 *  # every kiosk of hall-2\n서울 카페\t2층 입구\n"
	if err := os.WriteFile(filepath.Join(f.dir, authority.KiosksFile), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	// The next poll would read it; a new server reads it at once.
	f2 := newFixtureOn(t, f.dir)
	qr := f2.demoQR("holder-1")
	for _, tt := range []struct {
		venue, kiosk string
		status       int
	}{
		{"cafe-1", "door-1", 200},
		{"hall-2", "any", 200},
		{"서울 카페", "2층 입구", 200},
		{"서울 카페", "2층", 403},
		{"cafe-1", "door-2", 403},
		{"", "", 403},
	} {
		resp, b := f2.postJSON(api.PathVerify, api.VerifyRequest{QR: qr, VenueID: tt.venue, KioskID: tt.kiosk})
		if resp.StatusCode != tt.status {
			t.Errorf("verify from %s/%s = %d %s, want %d", tt.venue, tt.kiosk, resp.StatusCode, b, tt.status)
		}
		if tt.venue == "" {
			continue
		}
		code, _, e := f2.upload(api.EntriesRequest{VenueID: tt.venue, KioskID: tt.kiosk, Entries: []api.Entry{entry("a")}})
		if code != tt.status || (code == 403 && e.Reason != api.ReasonUnknownKiosk) {
			t.Errorf("upload from %s/%s = %d %+v, want %d", tt.venue, tt.kiosk, code, e, tt.status)
		}
	}
	if n := f2.stored("cafe-1", "door-2"); n != 0 {
		t.Errorf("an unknown kiosk's entries were stored: %d", n)
	}
}

func TestBadAllowListRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, authority.KiosksFile), []byte("only-a-venue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(server.Config{Dir: dir, Logger: quietLogger()}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("New with a malformed allow-list = %v, want an error naming the line", err)
	}
}
