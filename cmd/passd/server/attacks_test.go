package server_test

// The attacks of "only the right parties write, a one-time code is used
// once": each got in before kiosk credentials, operator-only enrollment,
// holder key checks and the one-time-use set; each must now fail.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"filippo.io/edwards25519"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

func TestAttackForgedEntries(t *testing.T) {
	f := newFixture(t, 0)
	forged := api.EntriesRequest{VenueID: "cafe-1", KioskID: "door-1", Entries: []api.Entry{
		{ID: "x1", Time: 1764072000, Outcome: "admit", Method: "manual", Reason: "ok", ManualReason: "no_phone"}}}
	body, _ := json.Marshal(forged)
	revoked, err := f.srv.AddKiosk(context.Background(), "cafe-1", "door-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.RevokeCredential(context.Background(), authority.TokenID(authority.HashToken(revoked))); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, auth string }{
		{"no credential", ""},
		{"not bearer", "Basic Y2FmZS0xOmRvb3ItMQ=="},
		{"guessed token", api.BearerPrefix + api.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"revoked token", api.BearerPrefix + revoked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.do(http.MethodPost, api.PathEntries, "application/json", body, api.HeaderAuthorization, tt.auth)
			var e api.Error
			if resp.StatusCode != 401 || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonUnauthorized || e.Error == "" {
				t.Errorf("forged upload = %d %s, want 401 unauthorized with a message", resp.StatusCode, b)
			}
		})
	}
	if n := f.stored("cafe-1", "door-1"); n != 0 {
		t.Fatalf("the register holds %d forged entries", n)
	}
	// A real kiosk naming another in the body writes as itself.
	other := forged
	other.VenueID, other.KioskID = "hall-9", "gate"
	if code, r, e := f.upload(other); code != 200 || r.Stored != 1 {
		t.Fatalf("upload with another kiosk's name = %d %+v %+v", code, r, e)
	}
	if f.stored("hall-9", "gate") != 0 || f.stored("cafe-1", "door-1") != 1 {
		t.Error("an entry was stored under the body's kiosk, not the credential's")
	}
}

func TestAttackEntryIDTakeover(t *testing.T) {
	f := newFixture(t, 0)
	first := api.EntriesRequest{Entries: []api.Entry{entry("scan-1")}}
	if code, r, _ := f.upload(first); code != 200 || r.Stored != 1 {
		t.Fatalf("first upload = %d %+v", code, r)
	}
	lie := first
	lie.Entries = []api.Entry{entry("scan-2"), entry("scan-1")}
	lie.Entries[1].Outcome, lie.Entries[1].Method, lie.Entries[1].Reason = "admit", "manual", "ok"
	code, _, e := f.upload(lie)
	if code != 409 || e.Reason != api.ReasonConflict {
		t.Fatalf("same ID, other content = %d %+v, want 409 conflict", code, e)
	}
	held, err := f.srv.Authority().Store().EntryByID(context.Background(), "cafe-1", "door-1", "scan-1")
	if err != nil || held.Method != "online" {
		t.Errorf("held entry = %+v, %v; want the first upload's", held, err)
	}
	if n := f.stored("cafe-1", "door-1"); n != 1 {
		t.Errorf("register holds %d entries, want 1: a batch with a conflict stores nothing", n)
	}
	// Another kiosk's credential cannot reach door-1's IDs at all.
	tok, err := f.srv.AddKiosk(context.Background(), "cafe-1", "door-2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(lie)
	resp, b := f.do(http.MethodPost, api.PathEntries, "application/json", body, api.HeaderAuthorization, api.BearerPrefix+tok)
	if resp.StatusCode != 200 || f.stored("cafe-1", "door-1") != 1 {
		t.Errorf("door-2 upload = %d %s; door-1 now holds %d", resp.StatusCode, b, f.stored("cafe-1", "door-1"))
	}
}

func TestAttackAnonymousEnroll(t *testing.T) {
	f := newFixture(t, 0)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	body, _ := json.Marshal(signedEnroll(api.EnrollRequest{Name: "Mallory", BirthYear: 1990, Status: 1}, priv))
	for _, tt := range []struct {
		name, auth string
		status     int
		reason     string
	}{
		{"no credential", "", 401, api.ReasonUnauthorized},
		{"unknown operator", api.BearerPrefix + api.OperatorTokenPrefix + "nope", 401, api.ReasonUnauthorized},
		{"kiosk credential", api.BearerPrefix + f.kiosk, 403, api.ReasonForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.do(http.MethodPost, api.PathEnroll, "application/json", body, api.HeaderAuthorization, tt.auth)
			var e api.Error
			if resp.StatusCode != tt.status || json.Unmarshal(b, &e) != nil || e.Reason != tt.reason {
				t.Errorf("enroll = %d %s, want %d %s", resp.StatusCode, b, tt.status, tt.reason)
			}
		})
	}
}

// forge signs msg for a small-order "public key" A without any private
// key: with [8]A = 0 the check [S]B = R + [k]A holds for R = [S]B when k
// is a multiple of 8, which about one message in eight gives; for the
// identity, every message.
func forge(t *testing.T, req api.EnrollRequest) api.EnrollRequest {
	t.Helper()
	for i := range 256 {
		req.Name = "Mallory" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		s := edwards25519.NewScalar()
		var one [32]byte
		one[0] = byte(i + 1)
		s, _ = s.SetCanonicalBytes(one[:])
		r := new(edwards25519.Point).ScalarBaseMult(s)
		req.Signature = append(r.Bytes(), s.Bytes()...)
		if ed25519.Verify(req.HolderPublicKey, api.EnrollSignedBytes(req), req.Signature) {
			return req
		}
	}
	t.Fatalf("could not forge a signature for key %x", req.HolderPublicKey)
	return req
}

func TestAttackWeakHolderKey(t *testing.T) {
	f := newFixture(t, 1)
	mustHex := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	order8 := mustHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
	t8, err := new(edwards25519.Point).SetBytes(order8)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	p, _ := new(edwards25519.Point).SetBytes(pub)
	mixed := new(edwards25519.Point).Add(p, t8).Bytes()
	for _, tt := range []struct {
		name   string
		key    []byte
		forged bool
	}{
		{"identity", mustHex("0100000000000000000000000000000000000000000000000000000000000000"), true},
		{"order 2", mustHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), true},
		{"order 8", order8, true},
		{"non-canonical identity", mustHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), true},
		{"mixed order", mixed, false},
		{"not a point", mustHex("0200000000000000000000000000000000000000000000000000000000000000"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := api.EnrollRequest{Name: "Mallory", BirthYear: 1990, Status: 1, HolderPublicKey: tt.key,
				Signature: make([]byte, 64)}
			if tt.forged {
				req = forge(t, req) // the proof of possession alone does not stop it
			}
			resp, b := f.postJSON(api.PathEnroll, req)
			var e api.Error
			if resp.StatusCode != 400 || json.Unmarshal(b, &e) != nil || e.Reason != api.ReasonBadRequest {
				t.Errorf("enroll with key %x = %d %s, want 400", tt.key, resp.StatusCode, b)
			}
		})
	}

	// holder-1's public key is in every QR it shows: enrolling it must not
	// touch holder-1.
	qr := f.demoQR("holder-1")
	pres, err := pass.Parse(qr)
	if err != nil {
		t.Fatal(err)
	}
	st := f.srv.Authority().Store()
	before, err := st.HolderByKey(context.Background(), pres.Claims.HolderKey)
	if err != nil {
		t.Fatal(err)
	}
	req := api.EnrollRequest{Name: "Mallory", BirthYear: 2001, Status: 4, HolderPublicKey: pres.Claims.HolderKey, Signature: make([]byte, 64)}
	if resp, b := f.postJSON(api.PathEnroll, req); resp.StatusCode != 400 {
		t.Errorf("enroll holder-1's key without its private key = %d %s, want 400", resp.StatusCode, b)
	}
	after, err := st.HolderByKey(context.Background(), pres.Claims.HolderKey)
	if err != nil || after.Name != before.Name || after.BirthYear != before.BirthYear || after.Status != before.Status || after.Sub != before.Sub {
		t.Errorf("holder-1 after the attack = %+v, %v; want %+v", after, err, before)
	}
}

func TestAttackReplayAcrossKiosks(t *testing.T) {
	f := newFixture(t, 1)
	door2, err := f.srv.AddKiosk(context.Background(), "cafe-1", "door-2")
	if err != nil {
		t.Fatal(err)
	}
	hall, err := f.srv.AddKiosk(context.Background(), "hall-9", "gate")
	if err != nil {
		t.Fatal(err)
	}
	verifyAs := func(token, qr string) api.VerifyResponse {
		t.Helper()
		body, _ := json.Marshal(api.VerifyRequest{QR: qr, VenueID: "cafe-1", KioskID: "door-1", ScanID: "s"})
		resp, b := f.do(http.MethodPost, api.PathVerify, "application/json", body, api.HeaderAuthorization, api.BearerPrefix+token)
		var v api.VerifyResponse
		if resp.StatusCode != 200 || json.Unmarshal(b, &v) != nil {
			t.Fatalf("verify = %d %s", resp.StatusCode, b)
		}
		return v
	}
	qr := f.demoQR("holder-1")
	if v := verifyAs(f.kiosk, qr); v.Verdict != "admit" {
		t.Fatalf("door-1 = %+v, want admit", v)
	}
	f.clock.Advance(2 * time.Second)
	if v := verifyAs(f.kiosk, qr); v.Verdict != "admit" {
		t.Errorf("door-1 again = %+v, want admit (the kiosk's own duplicate)", v)
	}
	for name, tok := range map[string]string{"door-2": door2, "another venue": hall} {
		if v := verifyAs(tok, qr); v.Verdict != "deny" || v.Reason != api.ReasonReplayed || len(v.CID) != 16 {
			t.Errorf("%s = %+v, want deny replayed", name, v)
		}
	}
	// A new QR of the same holder is a new presentation.
	f.clock.Advance(time.Second)
	if v := verifyAs(door2, f.demoQR("holder-1")); v.Verdict != "admit" {
		t.Errorf("door-2 with a fresh QR = %+v, want admit", v)
	}
	// Past window and skew the old code is qr_expired, not replayed.
	f.clock.Advance(20 * time.Second)
	if v := verifyAs(hall, qr); v.Reason != string(pass.QRExpired) {
		t.Errorf("old code later = %+v, want qr_expired", v)
	}
}
