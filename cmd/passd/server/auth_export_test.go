package server

import (
	"net/http"

	"passdesk/cmd/passd/store"
)

// CheckKioskCredential runs the credential check of /v1/verify and
// /v1/entries on r alone.
func (s *Server) CheckKioskCredential(r *http.Request) error {
	_, err := s.kiosks.authenticate(r, store.TokenKiosk)
	return err
}
