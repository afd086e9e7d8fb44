package passtest

import (
	"bytes"
	"crypto/ed25519"
)

// Now is the time the vectors are made for: 2027-01-15T08:00:00Z.
const Now int64 = 1_800_000_000

const (
	day  = 86400
	year = 365 * day
)

// The fixed keys of the test world.
var (
	Root          = Key("root")
	OtherRoot     = Key("other root")
	Issuer        = Key("issuer KR-KDCA 2027")
	FutureIssuer  = Key("issuer KR-KDCA next")
	ExpiredIssuer = Key("issuer KR-KDCA old")
	ForeignIssuer = Key("issuer JP-MHLW")
	Untrusted     = Key("issuer not in the list")
	Holder        = Key("holder")
	Stranger      = Key("stranger")
)

// Credential IDs: the default one and one the revocation list names.
var (
	CID        = bytes.Repeat([]byte{0x11}, 16)
	RevokedCID = bytes.Repeat([]byte{0xee}, 16)
	Sub        = bytes.Repeat([]byte{0x22}, 16)
)

// Trust list and revocation list times.
const (
	TrustSeq     = 7
	TrustExp     = Now + day
	RevokeSeq    = 3
	RevokeExp    = Now + day
	IssuerName   = "KR-KDCA"
	ForeignName  = "JP-MHLW"
	HolderName   = "홍*동"
	CredNotAfter = Now + 180*day
	CredNotBefor = Now - 30*day
)

// K encodes an integer map key.
func K(n int64) []byte { return Int(n) }

// T encodes a text map key.
func T(s string) []byte { return Text(s) }

func listKey(k ed25519.PrivateKey, iss string, nbf, exp int64) []byte {
	return Map(
		Entry{T("kid"), Bytes(KID(Pub(k)))},
		Entry{T("iss"), Text(iss)},
		Entry{T("pub"), Bytes(Pub(k))},
		Entry{T("nbf"), Int(nbf)},
		Entry{T("exp"), Int(exp)},
	)
}

// TrustListPayload is the trust list of the test world.
func TrustListPayload(seq uint64, exp int64) []byte {
	return Map(
		Entry{T("seq"), Uint(seq)},
		Entry{T("iat"), Int(Now - 3600)},
		Entry{T("exp"), Int(exp)},
		Entry{T("keys"), Array(
			listKey(Issuer, IssuerName, Now-year, Now+year),
			listKey(FutureIssuer, IssuerName, Now+day, Now+2*year),
			listKey(ExpiredIssuer, IssuerName, Now-2*year, Now-day),
			listKey(ForeignIssuer, ForeignName, Now-year, Now+year),
		)},
	)
}

// RevocationListPayload is the revocation list of the test world.
func RevocationListPayload(seq uint64, exp int64) []byte {
	return Map(
		Entry{T("seq"), Uint(seq)},
		Entry{T("iat"), Int(Now - 3600)},
		Entry{T("exp"), Int(exp)},
		Entry{T("cids"), Array(Bytes(bytes.Repeat([]byte{0xdd}, 16)), Bytes(RevokedCID))},
	)
}

// RootSigned describes a list signed by the root, as a document would be.
func RootSigned() Sign1 {
	return Sign1{
		Tag:       18,
		Protected: Entries{{K(1), Int(-8)}, {K(4), Bytes(KID(Pub(Root)))}},
		Signer:    Root,
	}
}

// Lists are the signed list files of the test world, by file name.
func Lists() map[string][]byte {
	good := RootSigned()
	forged := good
	forged.SigEdit = FlipBit
	otherRoot := Sign1{Tag: 18, Protected: Entries{{K(1), Int(-8)}, {K(4), Bytes(KID(Pub(OtherRoot)))}}, Signer: OtherRoot}
	impostor := good
	impostor.Signer = OtherRoot
	noKid := Sign1{Tag: 18, Protected: Entries{{K(1), Int(-8)}}, Signer: Root}
	tl := TrustListPayload(TrustSeq, TrustExp)
	rl := RevocationListPayload(RevokeSeq, RevokeExp)
	return map[string][]byte{
		"trustlist.cose":              good.Encode(tl),
		"revocations.cose":            good.Encode(rl),
		"trustlist-forged.cose":       forged.Encode(tl),
		"trustlist-impostor.cose":     impostor.Encode(tl),
		"trustlist-other-root.cose":   otherRoot.Encode(tl),
		"trustlist-no-kid.cose":       noKid.Encode(tl),
		"trustlist-stale.cose":        good.Encode(TrustListPayload(TrustSeq+1, Now-1)),
		"revocations-forged.cose":     forged.Encode(rl),
		"revocations-other-root.cose": otherRoot.Encode(rl),
	}
}

// DefaultClaims are the credential claims of a good pass.
func DefaultClaims() Entries {
	return Entries{
		{K(1), Text(IssuerName)},
		{K(2), Bytes(CID)},
		{K(3), Bytes(Sub)},
		{K(4), Text(HolderName)},
		{K(5), Uint(1)},
		{K(6), Int(CredNotBefor)},
		{K(7), Int(CredNotAfter)},
		{K(8), Bytes(Pub(Holder))},
		{K(9), Uint(1990)},
	}
}

// Good returns a pass that verifies at Now: credential by Issuer, shown by
// Holder at Now, both documents tagged.
func Good() Pass {
	return Pass{
		Cred: Sign1{
			Tag:       18,
			Protected: Entries{{K(1), Int(-8)}, {K(4), Bytes(KID(Pub(Issuer)))}},
			Signer:    Issuer,
		},
		Claims: DefaultClaims(),
		Pres: Sign1{
			Tag:       18,
			Protected: Entries{{K(1), Int(-8)}},
			Signer:    Holder,
		},
		PresPayload: Entries{{K(1), CredentialValue}, {K(2), Int(Now)}},
	}
}

// WithIAT returns p shown at iat.
func (p Pass) WithIAT(iat uint64) Pass {
	p.PresPayload = p.PresPayload.Set(K(2), Uint(iat))
	return p
}

// WithClaim returns p with a credential claim set.
func (p Pass) WithClaim(k int64, v []byte) Pass {
	p.Claims = p.Claims.Set(K(k), v)
	return p
}

// WithoutClaim returns p without a credential claim.
func (p Pass) WithoutClaim(k int64) Pass {
	p.Claims = p.Claims.Del(K(k))
	return p
}

// IssuedBy returns p with its credential signed by key and naming kid.
func (p Pass) IssuedBy(key ed25519.PrivateKey, kid []byte) Pass {
	p.Cred.Signer = key
	p.Cred.Protected = p.Cred.Protected.Set(K(4), Bytes(kid))
	return p
}
