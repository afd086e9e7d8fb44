package server

import (
	"errors"
	"net/http"

	"passdesk/api"
	"passdesk/cmd/passd/authority"
	"passdesk/cmd/passd/store"
	"passdesk/pass"
)

// handleEnroll enrolls a new holder for an operator: the request must
// carry an operator credential, a holder key of full order and the key's
// signature over the request. An enrolled key is never changed here.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	who, err := s.kiosks.authenticate(r, store.TokenOperator)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req api.EnrollRequest
	if err := decodeJSON(w, r, smallBodyLimit, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Status < int(pass.Vaccinated) || req.Status > int(pass.MedicalExemption) {
		s.writeError(w, r, errorf(http.StatusBadRequest, api.ReasonBadRequest, "status %d is not 1-4", req.Status))
		return
	}
	e := authority.Enrollment{
		Name:      req.Name,
		BirthYear: req.BirthYear,
		Status:    pass.Status(req.Status),
		HolderKey: req.HolderPublicKey,
	}
	err = e.Check(s.now().UTC().Year())
	if err == nil {
		err = authority.CheckEnrollProof(req)
	}
	var iss authority.Issued
	if err == nil {
		iss, err = s.auth.Enroll(r.Context(), e)
	}
	switch {
	case errors.Is(err, authority.ErrInvalid):
		err = errorf(http.StatusBadRequest, api.ReasonBadRequest, "%v", err)
	case errors.Is(err, authority.ErrEnrolled):
		err = errorf(http.StatusConflict, api.ReasonConflict, "%v", err)
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	s.log.Info("enrolled", "cid", iss.CID[:], "status", req.Status, "operator", who.name)
	writeJSON(w, http.StatusOK, api.EnrollResponse{Credential: iss.Credential, CID: iss.CID[:]})
}
