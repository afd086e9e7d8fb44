// Package api holds the JSON shapes of the authority service's HTTP API
// (DESIGN.md "The authority service"), shared by passd and the kiosk's client.
package api

import "strconv"

// Paths of the API.
const (
	PathEnroll      = "/v1/enroll"
	PathTrustList   = "/v1/trustlist"
	PathRevocations = "/v1/revocations"
	PathVerify      = "/v1/verify"
	PathEntries     = "/v1/entries"
	PathHealth      = "/healthz"
	// PathDemoPasses lists fresh QR texts of the demo holders, for the
	// kiosk's demo camera source; 404 when the service has none.
	PathDemoPasses = "/v1/demo/passes"
)

// Health is the start of the service's answer at PathHealth, which the
// kiosk's probe requires whole: a captive portal or a proxy that answers
// 200 to everything is not the service coming back.
type Health struct {
	Status string `json:"status"` // HealthOK
}

// HealthOK is the status of a service that answers.
const HealthOK = "ok"

// ContentTypeCOSE is the media type of the signed lists.
const ContentTypeCOSE = "application/cose"

// EnrollRequest is a holder's first authentication.
type EnrollRequest struct {
	Name            string `json:"name"`
	BirthYear       int    `json:"birth_year"`
	Status          int    `json:"status"`
	HolderPublicKey []byte `json:"holder_public_key"` // 32 bytes, base64 in JSON
	// Signature is the holder key's Ed25519 signature over
	// EnrollSignedBytes of the request: proof that the enrolling party
	// holds the private key. 64 bytes, base64 in JSON.
	Signature []byte `json:"signature"`
}

// EnrollSignedBytes is what an enrollment's Signature signs: a fixed
// prefix, then name, birth year, status and the holder key, NUL-separated
// (a valid name has no control characters).
func EnrollSignedBytes(r EnrollRequest) []byte {
	b := []byte("PassDesk enrollment v1\x00")
	b = append(b, r.Name...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(r.BirthYear), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, 0)
	return append(b, r.HolderPublicKey...)
}

// EnrollResponse carries the issued credential.
type EnrollResponse struct {
	Credential []byte `json:"credential"` // COSE_Sign1 bytes, base64 in JSON
	CID        []byte `json:"cid"`
}

// VerifyRequest asks for an online verdict.
type VerifyRequest struct {
	QR      string `json:"qr"`
	VenueID string `json:"venue_id"`
	KioskID string `json:"kiosk_id"`
	ScanID  string `json:"scan_id"`
}

// VerifyResponse is the online verdict.
type VerifyResponse struct {
	Verdict string `json:"verdict"` // "admit" or "deny"
	Reason  string `json:"reason"`  // a pass reason code
	Name    string `json:"name,omitempty"`
	Status  int    `json:"status,omitempty"`
	CID     []byte `json:"cid,omitempty"`
}

// Entry is one kiosk ledger entry in the central register.
type Entry struct {
	ID      string `json:"id"` // idempotency key
	Time    int64  `json:"time"`
	Outcome string `json:"outcome"`
	Method  string `json:"method"`
	Reason  string `json:"reason"`
	Scheme  string `json:"scheme,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	Status  int    `json:"status,omitempty"`
	CID     []byte `json:"cid,omitempty"`
	// Manual entries carry the reason and staff, never the visitor's
	// name or phone: those stay at the venue.
	ManualReason string `json:"manual_reason,omitempty"`
	OutageID     int64  `json:"outage_id,omitempty"`
}

// EntriesRequest is a batch upload, idempotent by entry ID.
type EntriesRequest struct {
	VenueID string  `json:"venue_id"`
	KioskID string  `json:"kiosk_id"`
	Entries []Entry `json:"entries"`
}

// EntriesResponse says how many entries were new and how many were already
// held.
type EntriesResponse struct {
	Stored    int `json:"stored"`
	Duplicate int `json:"duplicate"`
}

// DemoPass is one demo holder's QR text, made when it was asked for.
type DemoPass struct {
	Holder string `json:"holder"` // the holder's pseudonymous ID (sub), hex
	Label  string `json:"label"`  // "holder-1", ..., "revoked", "stale"
	Name   string `json:"name"`   // the masked name the pass shows
	QR     string `json:"qr"`     // "PD1:..."
}

// Error is every error body.
type Error struct {
	Error  string `json:"error"`
	Reason string `json:"reason,omitempty"`
}

// Reason codes of an Error body. A QR text refused before any verdict (too
// long, not PD1, undecodable) is answered 422 with the pass reason code
// ("malformed", "unsupported_format") and "verdict": "deny" in the body.
const (
	ReasonBadRequest       = "bad_request"            // 400: malformed JSON, unknown field, bad value
	ReasonUnknownKiosk     = "unknown_kiosk"          // 403: venue/kiosk not allowed
	ReasonNotFound         = "not_found"              // 404
	ReasonMethodNotAllowed = "method_not_allowed"     // 405
	ReasonBodyTooLarge     = "body_too_large"         // 413
	ReasonUnsupportedMedia = "unsupported_media_type" // 415: not application/json
	ReasonOverloaded       = "overloaded"             // 429, with Retry-After
	ReasonInternal         = "internal"               // 500
	ReasonUnauthorized     = "unauthorized"           // 401: no, unknown or revoked kiosk credential
	ReasonForbidden        = "forbidden"              // 403: the credential may not do this (e.g. enroll without an operator credential)
	ReasonConflict         = "conflict"               // 409: an entry ID already held with other content
	ReasonUnavailable      = "unavailable"            // 503, with Retry-After: a write that cannot be made durable now
)

// Kiosk and operator credentials are bearer tokens that passd issues
// (`passd kiosk add`); passd keeps only their SHA-256. Every /v1/verify and
// /v1/entries call carries one as "Authorization: Bearer TOKEN"; the venue and
// kiosk of a request are the credential's, whatever its body says.
const (
	HeaderAuthorization = "Authorization"
	BearerPrefix        = "Bearer "
	// TokenPrefix starts every kiosk token, so a leaked one is recognisable.
	TokenPrefix = "pdk_"
	// OperatorTokenPrefix starts every operator token (enrollment).
	OperatorTokenPrefix = "pdo_"
)

// ReasonReplayed is the verify reason passd gives a presentation (cid and
// iat) it already admitted at another kiosk within window plus skew: a
// one-time code used twice. The kiosk shows it translated, as any reason.
const ReasonReplayed = "replayed"
