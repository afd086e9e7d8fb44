package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"passdesk/api"
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
	if n := f.stored("cafe-1", "door-1"); n != 0 {
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
