package server

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"passdesk/api"
	"passdesk/cmd/passd/store"
)

// maxBatch is the most entries one upload may carry.
const maxBatch = 1000

var (
	outcomes = map[string]bool{"admit": true, "deny": true, "duplicate": true}
	methods  = map[string]bool{"online": true, "offline": true, "manual": true}
)

// handleEntries stores a kiosk's batch under the credential's venue and
// kiosk, whatever the body says.
func (s *Server) handleEntries(w http.ResponseWriter, r *http.Request) {
	who, err := s.kiosks.authenticate(r, store.TokenKiosk)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req api.EntriesRequest
	if err := decodeJSON(w, r, batchBodyLimit, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if (req.VenueID != "" && req.VenueID != who.venueID) || (req.KioskID != "" && req.KioskID != who.kioskID) {
		s.log.Warn("entries body names another kiosk than its credential; stored as the credential's",
			"credential", who.id, "venue", who.venueID, "kiosk", who.kioskID, "body_venue", req.VenueID, "body_kiosk", req.KioskID)
	}
	if len(req.Entries) > maxBatch {
		s.writeError(w, r, errorf(http.StatusRequestEntityTooLarge, api.ReasonBodyTooLarge,
			"a batch holds at most %d entries, not %d", maxBatch, len(req.Entries)))
		return
	}
	es := make([]store.Entry, len(req.Entries))
	for i, e := range req.Entries {
		if err := checkEntry(e); err != nil {
			s.writeError(w, r, errorf(http.StatusBadRequest, api.ReasonBadRequest, "entry %d: %v", i, err))
			return
		}
		es[i] = store.Entry{ID: e.ID, Time: e.Time, Outcome: e.Outcome, Method: e.Method, Reason: e.Reason,
			Scheme: e.Scheme, Issuer: e.Issuer, Status: e.Status, CID: e.CID, ManualReason: e.ManualReason,
			OutageID: e.OutageID}
	}
	stored, dup, err := s.auth.Store().StoreEntries(r.Context(), who.venueID, who.kioskID, s.now().Unix(), es)
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		s.log.Warn("entry ID conflict: an entry already held arrived with other content; batch refused",
			"venue", who.venueID, "kiosk", who.kioskID, "entry", ce.ID, "credential", who.id)
		err = errorf(http.StatusConflict, api.ReasonConflict,
			"entry %q is already held with other content; nothing of this batch was stored", ce.ID)
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	s.log.Info("entries stored", "venue", who.venueID, "kiosk", who.kioskID, "stored", stored, "duplicate", dup)
	writeJSON(w, http.StatusOK, api.EntriesResponse{Stored: stored, Duplicate: dup})
}

// checkEntry says what is wrong with an uploaded entry.
func checkEntry(e api.Entry) error {
	text := func(name, v string, required bool) error {
		switch {
		case v == "" && required:
			return errorf(0, "", "%s is required", name)
		case len(v) > 128:
			return errorf(0, "", "%s is longer than 128 bytes", name)
		case !utf8.ValidString(v):
			return errorf(0, "", "%s is not UTF-8", name)
		}
		for _, c := range v {
			if c < 0x20 || c == 0x7f {
				return errorf(0, "", "%s has control characters", name)
			}
		}
		return nil
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"id", e.ID, true}, {"reason", e.Reason, true}, {"scheme", e.Scheme, false},
		{"issuer", e.Issuer, false}, {"manual_reason", e.ManualReason, false},
	} {
		if err := text(f.name, f.v, f.required); err != nil {
			return err
		}
	}
	switch {
	case e.Time <= 0:
		return errorf(0, "", "time %d is not a Unix time", e.Time)
	case !outcomes[e.Outcome]:
		return errorf(0, "", "outcome %q is not admit, deny or duplicate", e.Outcome)
	case !methods[e.Method]:
		return errorf(0, "", "method %q is not online, offline or manual", e.Method)
	case e.Status < 0 || e.Status > 255:
		return errorf(0, "", "status %d is out of range", e.Status)
	case len(e.CID) != 0 && len(e.CID) != 16:
		return errorf(0, "", "cid is %d bytes, want 16", len(e.CID))
	case e.OutageID < 0:
		return errorf(0, "", "outage_id %d is negative", e.OutageID)
	}
	return nil
}
