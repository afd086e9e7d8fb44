package server

import (
	"net/http"

	"passdesk/api"
	"passdesk/pass"
)

// qrRefusal is the 422 body of a QR text refused before any verdict: it
// reads both as an api.Error and as an api.VerifyResponse.
type qrRefusal struct {
	Error   string `json:"error"`
	Reason  string `json:"reason"`
	Verdict string `json:"verdict"`
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
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
	if err := s.kiosks.check(req.VenueID, req.KioskID, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.Verify(req.QR)
	switch v.Reason {
	case pass.UnsupportedFormat, pass.Malformed:
		writeJSON(w, http.StatusUnprocessableEntity, qrRefusal{
			Error:   "qr text is not a readable PD1 pass",
			Reason:  string(v.Reason),
			Verdict: "deny",
		})
		return
	}
	resp := api.VerifyResponse{Verdict: "deny", Reason: string(v.Reason), Name: v.Name, Status: int(v.Status), CID: v.CID}
	if v.Admit {
		resp.Verdict = "admit"
	}
	if s.log.Enabled(r.Context(), -4) {
		s.log.Debug("verify", "venue", req.VenueID, "kiosk", req.KioskID, "scan", req.ScanID, "reason", v.Reason)
	}
	writeJSON(w, http.StatusOK, resp)
}

// Verify verifies a QR text with the service's own lists, exactly as a
// kiosk would offline, plus live revocation: a credential revoked a moment
// ago is denied although no list a kiosk holds names it yet.
func (s *Server) Verify(qr string) pass.Verdict {
	l := s.lists.Load()
	v := pass.Verify(qr, l.tl, nil, s.cfg.Policy, s.cfg.Rules, s.now())
	// Revocation comes after every check but the venue policy.
	if (v.Reason == pass.OK || v.Reason == pass.PolicyDenied) && len(v.CID) == 16 {
		if _, revoked := l.revoked[[16]byte(v.CID)]; revoked {
			v.Admit, v.Reason = false, pass.Revoked
		}
	}
	return v
}
