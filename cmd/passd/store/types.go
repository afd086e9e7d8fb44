package store

import "bytes"

// IssuerKey is an issuer key's public metadata; its private half lives in
// a key file that each node reads.
type IssuerKey struct {
	Kid       [8]byte
	Issuer    string
	Public    []byte
	NotBefore int64
	Expires   int64
	Created   int64
	Current   bool // the key new credentials are signed with
}

// TrustSnapshot is the trust list's content at one moment.
type TrustSnapshot struct {
	Seq  uint64
	Keys []IssuerKey
}

// RevocationSnapshot is the revocation list's content at one moment.
type RevocationSnapshot struct {
	Seq  uint64
	CIDs [][16]byte
}

// Holder is an enrolled holder.
type Holder struct {
	Sub       [16]byte
	HolderPub []byte
	Name      string // as enrolled, unmasked
	BirthYear int
	Status    int
	Created   int64
}

// Credential is an issued credential.
type Credential struct {
	CID        [16]byte
	Sub        [16]byte
	Kid        [8]byte
	NotBefore  int64
	Expires    int64
	Credential []byte // COSE_Sign1 bytes
	Issued     int64
}

// Entry is one row of the central entries register.
type Entry struct {
	ID           string
	Time         int64
	Outcome      string
	Method       string
	Reason       string
	Scheme       string
	Issuer       string
	Status       int
	CID          []byte
	ManualReason string
	OutageID     int64
}

// SameContent reports whether e and o say the same thing: a kiosk that
// uploads an entry again (a retry) sends the same content; anything else
// under one ID is a conflict.
func (e Entry) SameContent(o Entry) bool {
	return e.ID == o.ID && e.Time == o.Time && e.Outcome == o.Outcome && e.Method == o.Method &&
		e.Reason == o.Reason && e.Scheme == o.Scheme && e.Issuer == o.Issuer && e.Status == o.Status &&
		bytes.Equal(e.CID, o.CID) && e.ManualReason == o.ManualReason && e.OutageID == o.OutageID
}

// Kiosk is a kiosk the register has heard from.
type Kiosk struct {
	VenueID, KioskID    string
	FirstSeen, LastSeen int64
}

// Kinds of credential.
const (
	TokenKiosk    = "kiosk"    // verifies and uploads entries as one venue's kiosk
	TokenOperator = "operator" // enrolls holders
)

// Token is an issued kiosk or operator credential. passd keeps only the
// SHA-256 of the bearer token, never the token.
type Token struct {
	ID      string   // public handle, for list and revoke (hex, 16 digits)
	Hash    [32]byte // SHA-256 of the bearer token
	Kind    string   // TokenKiosk or TokenOperator
	VenueID string   // kiosk credentials only
	KioskID string   // kiosk credentials only
	Name    string   // operator credentials: who holds it
	Created int64
	Revoked int64 // 0 while the credential is valid
}

// TokenSnapshot is every credential at one moment.
type TokenSnapshot struct {
	Seq    uint64
	Tokens []Token
}

// Kinds of demo holder.
const (
	DemoValid   = "valid"   // a holder whose QR is admitted
	DemoRevoked = "revoked" // a holder whose credential is revoked
	DemoStale   = "stale"   // a holder whose QR is shown 60 s old
)

// DemoHolder is a demo holder whose private key the service keeps, so that
// it can make fresh QR texts on the holder's behalf.
type DemoHolder struct {
	Label      string
	Kind       string
	HolderSeed []byte // Ed25519 seed, 32 bytes
	CID        [16]byte
	Sub        [16]byte
	Name       string // as enrolled, unmasked
	Credential []byte
	Created    int64
}
