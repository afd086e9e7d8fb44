package passtest

// The claim, trust, time and order cases (Cases is in cases.go).

import (
	"math"

	"passdesk/pass"
)

func claimCases() []Case {
	g := Good()
	var cs []Case
	add := func(name string, p Pass) { cs = append(cs, now("malformed "+name, p, pass.Malformed)) }
	for _, m := range []struct {
		k    int64
		name string
	}{{1, "iss"}, {2, "cid"}, {3, "sub"}, {4, "nam"}, {5, "sts"}, {6, "nbf"}, {7, "exp"}, {8, "hpk"}} {
		add("missing "+m.name, g.WithoutClaim(m.k))
	}
	add("iss as bstr", g.WithClaim(1, Bytes([]byte(IssuerName))))
	add("iss invalid utf-8", g.WithClaim(1, Text("KR-\xff")))
	add("cid 15 bytes", g.WithClaim(2, Bytes(CID[:15])))
	add("cid 17 bytes", g.WithClaim(2, Bytes(append(append([]byte(nil), CID...), 0))))
	add("cid as text", g.WithClaim(2, Text("1111111111111111")))
	add("sub 17 bytes", g.WithClaim(3, Bytes(make([]byte, 17))))
	add("nam as integer", g.WithClaim(4, Uint(7)))
	add("sts negative", g.WithClaim(5, Int(-1)))
	add("sts as text", g.WithClaim(5, Text("1")))
	add("sts as float", g.WithClaim(5, Float))
	add("nbf negative", g.WithClaim(6, Int(-1)))
	add("exp as float", g.WithClaim(7, Float))
	add("exp tagged epoch time", g.WithClaim(7, Tag(1, Int(CredNotAfter))))
	add("exp as bignum", g.WithClaim(7, Tag(2, Bytes([]byte{0x01, 0x00}))))
	add("hpk 31 bytes", g.WithClaim(8, Bytes(Pub(Holder)[:31])))
	add("hpk 33 bytes", g.WithClaim(8, Bytes(append(append([]byte(nil), Pub(Holder)...), 0))))
	add("byr as text", g.WithClaim(9, Text("1990")))
	add("iat negative", g.WithIAT(0).withPres(K(2), Int(-5)))
	add("iat as text", g.withPres(K(2), Text("1800000000")))
	add("iat tagged epoch time", g.withPres(K(2), Tag(1, Int(Now))))
	add("iat as float", g.withPres(K(2), Float))
	add("null status", g.WithClaim(5, Null))
	add("boolean status", g.WithClaim(5, True))
	return cs
}

func (p Pass) withPres(k, v []byte) Pass {
	p.PresPayload = p.PresPayload.Set(k, v)
	return p
}

func trustCases() []Case {
	g := Good()
	notListed := g.IssuedBy(Untrusted, KID(Pub(Untrusted)))
	// The kid of a trusted key, the signature of another: a forgery.
	forged := g.IssuedBy(Untrusted, KID(Pub(Issuer)))
	flipped := g
	flipped.Cred.SigEdit = FlipBit
	holderFlipped := g
	holderFlipped.Pres.SigEdit = FlipBit
	otherHolder := g
	otherHolder.Pres.Signer = Stranger
	swappedHpk := g.WithClaim(8, Bytes(Pub(Stranger)))
	return []Case{
		at("trust list stale one second after exp", g.WithIAT(uint64(TrustExp+1)), TrustExp+1, pass.TrustListStale),
		at("trust list fresh at exp", g.WithIAT(uint64(TrustExp)), TrustExp, pass.OK),
		now("unknown issuer kid not listed", notListed, pass.UnknownIssuer),
		now("unknown issuer key not yet valid", g.IssuedBy(FutureIssuer, KID(Pub(FutureIssuer))), pass.UnknownIssuer),
		now("unknown issuer key expired", g.IssuedBy(ExpiredIssuer, KID(Pub(ExpiredIssuer))), pass.UnknownIssuer),
		now("unknown issuer iss differs from key", g.WithClaim(1, Text("KR-FAKE")), pass.UnknownIssuer),
		now("unknown issuer key of another issuer", g.IssuedBy(ForeignIssuer, KID(Pub(ForeignIssuer))), pass.UnknownIssuer),
		now("ok foreign issuer with its own iss", g.IssuedBy(ForeignIssuer, KID(Pub(ForeignIssuer))).WithClaim(1, Text(ForeignName)), pass.OK),
		now("bad issuer signature forged kid", forged, pass.BadIssuerSignature),
		now("bad issuer signature bit flipped", flipped, pass.BadIssuerSignature),
		now("bad issuer signature claims changed", changedClaims(g), pass.BadIssuerSignature),
		now("bad holder signature bit flipped", holderFlipped, pass.BadHolderSignature),
		now("bad holder signature other holder", otherHolder, pass.BadHolderSignature),
		now("bad holder signature hpk swapped by issuer", swappedHpk, pass.BadHolderSignature),
		now("revoked", g.WithClaim(2, Bytes(RevokedCID)), pass.Revoked),
		now("policy denied status 5", g.WithClaim(5, Uint(5)), pass.PolicyDenied),
		now("policy denied status 0", g.WithClaim(5, Uint(0)), pass.PolicyDenied),
		now("policy denied status 257", g.WithClaim(5, Uint(257)), pass.PolicyDenied),
		now("policy denied status 2^64-1", g.WithClaim(5, Uint(math.MaxUint64)), pass.PolicyDenied),
	}
}

// changedClaims signs the credential, then changes a claim in the signed
// bytes: the issuer signature no longer covers them.
func changedClaims(g Pass) Pass {
	signed := g
	tampered := g.WithClaim(4, Text("김*수"))
	signed.Cred.Items = func(prot, unprot, payload, sig []byte) [][]byte {
		return [][]byte{prot, unprot, Bytes(tampered.Claims.Encode()), sig}
	}
	return signed
}

func timeCases() []Case {
	g := Good()
	nbfNow := g.WithClaim(6, Int(Now))
	expNow := g.WithClaim(7, Int(Now))
	return []Case{
		now("credential valid from now", nbfNow, pass.OK),
		now("credential not yet valid by one second", g.WithClaim(6, Int(Now+1)), pass.CredentialNotYetValid),
		now("credential valid until now", expNow, pass.OK),
		now("credential expired one second ago", g.WithClaim(7, Int(Now-1)), pass.CredentialExpired),
		now("credential exp near 2^64", g.WithClaim(7, Uint(math.MaxUint64)), pass.OK),
		now("credential nbf near 2^64", g.WithClaim(6, Uint(math.MaxUint64)), pass.CredentialNotYetValid),
		now("qr iat skew edge 5 s ahead", g.WithIAT(uint64(Now+5)), pass.OK),
		now("qr from future 6 s ahead", g.WithIAT(uint64(Now+6)), pass.QRFromFuture),
		now("qr from future iat 2^64-1", g.WithIAT(math.MaxUint64), pass.QRFromFuture),
		now("qr from future iat 2^63", g.WithIAT(1<<63), pass.QRFromFuture),
		now("qr from future iat 2^63-1", g.WithIAT(math.MaxInt64), pass.QRFromFuture),
		now("qr window edge 20 s old", g.WithIAT(uint64(Now-20)), pass.OK),
		now("qr expired 21 s old", g.WithIAT(uint64(Now-21)), pass.QRExpired),
		now("qr expired iat 0", g.WithIAT(0), pass.QRExpired),
		now("qr 15 s old", g.WithIAT(uint64(Now-15)), pass.OK),
	}
}

func orderCases() []Case {
	g := Good()
	expired := g.WithClaim(7, Int(Now-1))
	expiredBadIssuer := expired
	expiredBadIssuer.Cred.SigEdit = FlipBit
	expiredBadHolder := expired
	expiredBadHolder.Pres.SigEdit = FlipBit
	unknownBadSig := g.IssuedBy(Untrusted, KID(Pub(Untrusted)))
	unknownBadSig.Cred.SigEdit = FlipBit
	badBoth := g
	badBoth.Cred.SigEdit = FlipBit
	badBoth.Pres.SigEdit = FlipBit
	malformedUnknown := g.IssuedBy(Untrusted, KID(Pub(Untrusted))).WithoutClaim(4)
	return []Case{
		at("order malformed before trust list stale", malformedUnknown, TrustExp+1, pass.Malformed),
		at("order trust list stale before unknown issuer", unknownBadSig, TrustExp+1, pass.TrustListStale),
		now("order unknown issuer before bad issuer signature", unknownBadSig, pass.UnknownIssuer),
		now("order bad issuer signature before expired", expiredBadIssuer, pass.BadIssuerSignature),
		now("order bad issuer before bad holder signature", badBoth, pass.BadIssuerSignature),
		now("order bad holder signature before expired", expiredBadHolder, pass.BadHolderSignature),
		now("order not yet valid before expired", g.WithClaim(6, Int(Now+10)).WithClaim(7, Int(Now-10)), pass.CredentialNotYetValid),
		now("order expired before qr from future", expired.WithIAT(uint64(Now+60)), pass.CredentialExpired),
		now("order expired before qr expired", expired.WithIAT(uint64(Now-60)), pass.CredentialExpired),
		now("order qr expired before revoked", g.WithClaim(2, Bytes(RevokedCID)).WithIAT(uint64(Now-60)), pass.QRExpired),
		now("order qr from future before revoked", g.WithClaim(2, Bytes(RevokedCID)).WithIAT(uint64(Now+60)), pass.QRFromFuture),
		now("order revoked before policy denied", g.WithClaim(2, Bytes(RevokedCID)).WithClaim(5, Uint(9)), pass.Revoked),
		now("order qr expired before policy denied", g.WithClaim(5, Uint(9)).WithIAT(uint64(Now-60)), pass.QRExpired),
	}
}
