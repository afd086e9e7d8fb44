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
