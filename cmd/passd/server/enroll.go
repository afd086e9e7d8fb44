package server

import (
	"errors"
	"net/http"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/pass"
)

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req api.EnrollRequest
	if err := decodeJSON(w, r, smallBodyLimit, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Status < int(pass.Vaccinated) || req.Status > int(pass.MedicalExemption) {
		s.writeError(w, r, errorf(http.StatusBadRequest, api.ReasonBadRequest, "status %d is not 1-4", req.Status))
		return
	}
	iss, err := s.auth.Enroll(r.Context(), authority.Enrollment{
		Name:      req.Name,
		BirthYear: req.BirthYear,
		Status:    pass.Status(req.Status),
		HolderKey: req.HolderPublicKey,
	})
	if errors.Is(err, authority.ErrInvalid) {
		err = errorf(http.StatusBadRequest, api.ReasonBadRequest, "%v", err)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("enrolled", "cid", iss.CID[:], "status", req.Status)
	writeJSON(w, http.StatusOK, api.EnrollResponse{Credential: iss.Credential, CID: iss.CID[:]})
}
