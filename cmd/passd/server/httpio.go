package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"passdesk/api"
)

// Request body limits. A verification or an enrollment is a few hundred
// bytes; an entries batch holds up to maxBatch entries.
const (
	smallBodyLimit = 64 << 10
	batchBodyLimit = 1 << 20
)

// httpError is an error answered with a status and a reason code.
type httpError struct {
	status int
	reason string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, reason, format string, args ...any) *httpError {
	return &httpError{status: status, reason: reason, msg: fmt.Sprintf(format, args...)}
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"could not encode the answer","reason":"internal"}`)
	}
	writeJSONBytes(w, status, b)
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte{'\n'})
}

// writeError answers err; an error that is not an *httpError is a 500
// whose details stay in the log.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		he = errorf(http.StatusInternalServerError, api.ReasonInternal, "internal error")
	}
	writeJSON(w, he.status, api.Error{Error: he.msg, Reason: he.reason})
}

// decodeJSON reads r's body, of at most limit bytes, as exactly one JSON
// object into v, refusing another content type, unknown fields and
// trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, api.ReasonUnsupportedMedia,
			"content type %q is not application/json", ct)
	}
	if r.ContentLength > limit {
		return errorf(http.StatusRequestEntityTooLarge, api.ReasonBodyTooLarge,
			"request body of %d bytes is over the limit of %d", r.ContentLength, limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, api.ReasonBodyTooLarge,
				"request body is over the limit of %d bytes", limit)
		}
		return errorf(http.StatusBadRequest, api.ReasonBadRequest, "could not read the request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, api.ReasonBadRequest, "malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, api.ReasonBadRequest, "malformed JSON: data after the object")
	}
	return nil
}

// method wraps h so that other methods get a JSON 405. GET also allows
// HEAD.
func (s *Server) method(m string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m && !(m == http.MethodGet && r.Method == http.MethodHead) {
			allow := m
			if m == http.MethodGet {
				allow = "GET, HEAD"
			}
			w.Header().Set("Allow", allow)
			s.writeError(w, r, errorf(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed,
				"method %s is not allowed here; use %s", r.Method, allow))
			return
		}
		h(w, r)
	}
}
