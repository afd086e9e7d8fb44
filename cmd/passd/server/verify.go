package server

import (
	"net/http"
	"time"

	"passdesk/api"
	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

// qrRefusal is the 422 body of a QR text refused before any verdict: it
// reads both as an api.Error and as an api.VerifyResponse.
type qrRefusal struct {
	Error   string `json:"error"`
	Reason  string `json:"reason"`
	Verdict string `json:"verdict"`
}

// handleVerify answers a kiosk's online verification. The kiosk is the
// credential's; the body's venue_id and kiosk_id are not trusted.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	who, err := s.kiosks.authenticate(r, store.TokenKiosk)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req api.VerifyRequest
	if err := decodeJSON(w, r, smallBodyLimit, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.QR == "" {
		s.writeError(w, r, errorf(http.StatusBadRequest, api.ReasonBadRequest, "qr is required"))
		return
	}
	if len(req.QR) > pass.MaxTextLen {
		writeJSON(w, http.StatusUnprocessableEntity, qrRefusal{
			Error:   "qr text is longer than 1024 characters",
			Reason:  string(pass.Malformed),
			Verdict: "deny",
		})
		return
	}
	now := s.now()
	v := s.verifyAt(req.QR, now)
	switch v.Reason {
	case pass.UnsupportedFormat, pass.Malformed:
		writeJSON(w, http.StatusUnprocessableEntity, qrRefusal{
			Error:   "qr text is not a readable PD1 pass",
			Reason:  string(v.Reason),
			Verdict: "deny",
		})
		return
	}
	if v.Admit {
		s.oneTimeUse(r, &v, who, now)
	}
	resp := api.VerifyResponse{Verdict: "deny", Reason: string(v.Reason), Name: v.Name, Status: int(v.Status), CID: v.CID}
	if v.Admit {
		resp.Verdict = "admit"
	}
	if s.log.Enabled(r.Context(), -4) {
		s.log.Debug("verify", "venue", who.venueID, "kiosk", who.kioskID, "reason", v.Reason)
	}
	writeJSON(w, http.StatusOK, resp)
}

// Verify verifies a QR text with the service's own lists, exactly as a
// kiosk would offline, plus live revocation: a credential revoked a moment
// ago is denied although no list a kiosk holds names it yet.
func (s *Server) Verify(qr string) pass.Verdict { return s.verifyAt(qr, s.now()) }

func (s *Server) verifyAt(qr string, now time.Time) pass.Verdict {
	l := s.lists.Load()
	v := pass.Verify(qr, l.tl, nil, s.cfg.Policy, s.cfg.Rules, now)
	// Revocation comes after every check but the venue policy.
	if (v.Reason == pass.OK || v.Reason == pass.PolicyDenied) && len(v.CID) == 16 {
		if _, revoked := l.revoked[[16]byte(v.CID)]; revoked {
			v.Admit, v.Reason = false, pass.Revoked
		}
	}
	return v
}

// oneTimeUse denies an admitted presentation that another kiosk admitted
// within window plus skew: a code shown at two doors, or copied.
func (s *Server) oneTimeUse(r *http.Request, v *pass.Verdict, who principal, now time.Time) {
	if len(v.CID) != 16 {
		return
	}
	p := store.Presentation{CID: [16]byte(v.CID), IAT: v.IssuedAt, VenueID: who.venueID, KioskID: who.kioskID,
		Expires: v.IssuedAt + s.replayHorizon()}
	first := s.replays.claim(r.Context(), p, now)
	if first.VenueID == who.venueID && first.KioskID == who.kioskID {
		return
	}
	v.Admit, v.Reason = false, pass.Reason(api.ReasonReplayed)
	s.log.Info("presentation replayed", "cid", v.CID, "iat", v.IssuedAt, "venue", who.venueID, "kiosk", who.kioskID,
		"first_venue", first.VenueID, "first_kiosk", first.KioskID)
}

// replayHorizon is how long after its iat a presentation can still be
// admitted (window plus skew), in seconds.
func (s *Server) replayHorizon() int64 {
	sec := func(d, def time.Duration) int64 {
		if d == 0 {
			d = def
		}
		return int64(max(d, 0) / time.Second) // as pass.Rules reads them
	}
	return sec(s.cfg.Rules.Window, pass.DefaultWindow) + sec(s.cfg.Rules.Skew, pass.DefaultSkew)
}
