package passtest

import (
	"math"
	"strings"

	"passdesk/pass"
)

// Case is one test vector: a QR text, the time it is verified at (with the
// test world's trust and revocation lists, the default policy and rules)
// and the reason expected.
type Case struct {
	Name   string      `json:"name"`
	QR     string      `json:"qr"`
	At     int64       `json:"at"`
	Expect pass.Reason `json:"expect_reason"`
}

func at(name string, p Pass, t int64, want pass.Reason) Case {
	return Case{Name: name, QR: p.QR(), At: t, Expect: want}
}

func now(name string, p Pass, want pass.Reason) Case { return at(name, p, Now, want) }

func text(name, qr string, want pass.Reason) Case {
	return Case{Name: name, QR: qr, At: Now, Expect: want}
}

// Cases are the test vectors, one or more per reason code and per rule of
// strict decoding, plus the order between reasons.
func Cases() []Case {
	var cs []Case
	cs = append(cs, okCases()...)
	cs = append(cs, formatCases()...)
	cs = append(cs, structureCases()...)
	cs = append(cs, claimCases()...)
	cs = append(cs, trustCases()...)
	cs = append(cs, timeCases()...)
	cs = append(cs, orderCases()...)
	return cs
}

func okCases() []Case {
	g := Good()
	untagged := g
	untagged.Cred.Tag, untagged.Pres.Tag = 0, 0
	credUntagged := g
	credUntagged.Cred.Tag = 0
	presUntagged := g
	presUntagged.Pres.Tag = 0
	unknown := g.WithClaim(99, Text("future claim")).WithClaim(-5, Map(Entry{T("x"), Array(Uint(1), Null)}))
	unknown.Claims = unknown.Claims.Set(T("note"), Bytes([]byte{1, 2, 3}))
	unknown.PresPayload = unknown.PresPayload.Set(K(3), Text("extra"))
	unknown.Cred.Protected = unknown.Cred.Protected.Set(K(33), Text("x5chain?"))
	unknown.Cred.Unprotected = Map(Entry{K(4), Bytes([]byte("ignored!"))}, Entry{T("a"), Tag(1, Uint(0))})
	unknown.Pres.Unprotected = Map(Entry{K(5), Bytes(make([]byte, 12))})
	reordered := g
	reordered.Claims = append(Entries(nil), g.Claims...)
	for i, j := 0, len(reordered.Claims)-1; i < j; i, j = i+1, j-1 {
		reordered.Claims[i], reordered.Claims[j] = reordered.Claims[j], reordered.Claims[i]
	}
	// Sixteen levels: the claims map is one, fifteen arrays in a claim.
	deep16 := g.WithClaim(50, Nested(15))
	return []Case{
		now("ok tagged", g, pass.OK),
		now("ok untagged", untagged, pass.OK),
		now("ok credential untagged", credUntagged, pass.OK),
		now("ok presentation untagged", presUntagged, pass.OK),
		now("ok unknown claims and headers ignored", unknown, pass.OK),
		now("ok claims in another order", reordered, pass.OK),
		now("ok without birth year", g.WithoutClaim(9), pass.OK),
		now("ok status 2 recovered", g.WithClaim(5, Uint(2)), pass.OK),
		now("ok status 3 negative test", g.WithClaim(5, Uint(3)), pass.OK),
		now("ok status 4 medical exemption", g.WithClaim(5, Uint(4)), pass.OK),
		now("ok nesting 16 levels", deep16, pass.OK),
		now("ok empty name", g.WithClaim(4, Text("")), pass.OK),
		now("ok non-shortest integer", g.WithClaim(5, []byte{0x18, 0x01}), pass.OK),
	}
}

func formatCases() []Case {
	g := Good()
	qr := g.QR()
	body := strings.TrimPrefix(qr, "PD1:")
	return []Case{
		text("unsupported HC1", "HC1:"+body, pass.UnsupportedFormat),
		text("unsupported empty", "", pass.UnsupportedFormat),
		text("unsupported lower-case prefix", "pd1:"+body, pass.UnsupportedFormat),
		text("unsupported PD2", "PD2:"+body, pass.UnsupportedFormat),
		text("unsupported URL", "https://example.org/pass", pass.UnsupportedFormat),
		text("unsupported leading space", " "+qr, pass.UnsupportedFormat),
		text("malformed prefix only", "PD1:", pass.Malformed),
		text("malformed base45 bad character", qr[:len(qr)-1]+"#", pass.Malformed),
		text("malformed base45 lower case", "PD1:"+strings.ToLower(body), pass.Malformed),
		text("malformed base45 length", qr+"0", pass.Malformed),
		text("malformed base45 value over 65535", "PD1:GGW", pass.Malformed),
		text("malformed trailing newline", qr+"\n", pass.Malformed),
		text("malformed 1025 characters", "PD1:"+strings.Repeat("0", 1021), pass.Malformed),
		text("malformed not cbor", "PD1:"+b45("hello, world"), pass.Malformed),
		text("malformed empty cbor", "PD1:"+b45(""), pass.Malformed),
	}
}

func b45(s string) string {
	return strings.TrimPrefix(Pass{}.qrOf([]byte(s)), "PD1:")
}

func structureCases() []Case {
	g := Good()
	var cs []Case
	add := func(name string, p Pass) { cs = append(cs, now("malformed "+name, p, pass.Malformed)) }

	p := g
	p.Pres.Trailing = []byte{0x00}
	add("trailing byte after presentation", p)
	p = g
	p.Cred.Trailing = []byte{0xf6}
	add("trailing byte after credential", p)
	p = g
	p.ClaimsTrailing = []byte{0x01}
	add("trailing byte in signed credential payload", p)
	p = g
	p.PresTrailing = []byte{0x01}
	add("trailing byte in signed presentation payload", p)
	p = g
	p.Cred.RawProt = append(p.Cred.Protected.Encode(), 0x00)
	add("trailing byte in protected header", p)

	p = g
	p.Pres.Tag = 98
	add("presentation tag 98", p)
	p = g
	p.Cred.Tag = 17
	add("credential tag 17", p)
	cs = append(cs, text("malformed presentation tag 18 twice", "PD1:"+b45(string(Tag(18, g.Bytes()))), pass.Malformed))
	p = g
	p.Pres.Tag = 55799
	add("presentation self-describe tag", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte {
		return [][]byte{Tag(18, Array(prot, unprot, payload, sig))}
	}
	add("presentation tag inside array", p)

	p = g
	p.Pres.Protected = Entries{{K(1), Int(-7)}}
	add("presentation alg ES256", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Set(K(1), Int(-35))
	add("credential alg ES384", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Set(K(1), Text("EdDSA"))
	add("credential alg as text", p)
	p = g
	p.Pres.Protected = Entries{}
	add("presentation protected header empty map", p)
	p = g
	p.Pres.RawProt = []byte{}
	add("presentation protected header empty bstr", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Del(K(1))
	p.Cred.Unprotected = Map(Entry{K(1), Int(-8)})
	add("credential alg in unprotected header only", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Del(K(4))
	p.Cred.Unprotected = Map(Entry{K(4), Bytes(KID(Pub(Issuer)))})
	add("credential kid in unprotected header only", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Del(K(4))
	add("credential without kid", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Set(K(4), Bytes(KID(Pub(Issuer))[:7]))
	add("credential kid 7 bytes", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Set(K(4), Bytes(append(KID(Pub(Issuer)), 0)))
	add("credential kid 9 bytes", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Set(K(4), Text("kid-text"))
	add("credential kid as text", p)
	p = g
	p.Cred.Protected = p.Cred.Protected.Add(K(1), Int(-8))
	add("duplicate alg in protected header", p)
	p = g
	p.Pres.RawProt = Array(Uint(1), Int(-8))
	add("protected header not a map", p)

	p = g
	p.Pres.SigEdit = func(s []byte) []byte { return s[:63] }
	add("presentation signature 63 bytes", p)
	p = g
	p.Cred.SigEdit = func(s []byte) []byte { return append(s, 0) }
	add("credential signature 65 bytes", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte { return [][]byte{prot, unprot, payload} }
	add("presentation array of 3", p)
	p = g
	p.Cred.Items = func(prot, unprot, payload, sig []byte) [][]byte { return [][]byte{prot, unprot, payload, sig, Null} }
	add("credential array of 5", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte { return [][]byte{prot, Array(), payload, sig} }
	add("unprotected header not a map", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte { return [][]byte{prot, unprot, Null, sig} }
	add("detached payload", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte { return [][]byte{Map(), unprot, payload, sig} }
	add("protected header as map not bstr", p)
	p = g
	p.Pres.Unprotected = Map(Entry{K(4), Bytes([]byte{1})}, Entry{K(4), Bytes([]byte{2})})
	add("duplicate key in unprotected header", p)

	p = g
	p.PresPayload = Entries{{K(1), CredentialValue}, {K(2), Int(Now)}, {K(2), Int(Now)}}
	add("duplicate iat", p)
	p = g
	p.Claims = p.Claims.Add(K(5), Uint(1))
	add("duplicate status claim", p)
	p = g.WithClaim(77, Map(Entry{T("a"), Uint(1)}, Entry{T("a"), Uint(2)}))
	add("duplicate key inside unknown claim", p)
	add("nesting 17 levels in unknown claim", g.WithClaim(50, Nested(16)))
	add("nesting 200 levels in unknown claim", g.WithClaim(50, Nested(200)))
	p = g
	p.PresPayload = p.PresPayload.Set(K(9), Nested(16))
	add("nesting 17 levels in presentation payload", p)

	p = g
	p.PresPayload = p.PresPayload.Set(K(1), Array())
	add("credential not a bstr", p)
	p = g
	p.PresPayload = p.PresPayload.Del(K(1))
	add("no credential", p)
	p = g
	p.PresPayload = p.PresPayload.Del(K(2))
	add("no iat", p)
	p = g
	p.PresPayload = p.PresPayload.Set(K(1), Bytes([]byte("not cose")))
	add("credential bytes not cbor", p)
	p = g
	p.PresPayload = p.PresPayload.Set(K(1), Bytes(nil))
	add("credential empty", p)
	p = g
	p.Claims = nil
	add("credential payload empty map", p)

	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte {
		return [][]byte{prot, unprot, append(Head(majBytes, math.MaxUint32), payload...), sig}
	}
	add("declared length 4 GiB", p)
	p = g
	p.Pres.Items = func(prot, unprot, payload, sig []byte) [][]byte {
		return [][]byte{prot, unprot, append(Head(majBytes, math.MaxUint64), payload...), sig}
	}
	add("declared length 2^64-1", p)
	p = g
	p.Pres.Unprotected = Head(majMap, 1<<40)
	add("declared map of 2^40 pairs", p)
	p = g
	p.Pres.Unprotected = Head(majArray, 1<<31)
	add("declared array of 2^31 items", p)
	return cs
}

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
