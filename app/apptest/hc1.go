package apptest

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passdesk/pass/base45"
)

// HC1Signer is an EU DCC document signer for tests: an ES256 key and its
// self-signed certificate, valid for a year around the epoch it was made
// for, issuing for Austria ("AT").
type HC1Signer struct {
	key *ecdsa.PrivateKey
	der []byte
	kid []byte
}

// NewHC1Signer makes a document signer valid for a year around epoch.
func NewHC1Signer(epoch time.Time) (*HC1Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(epoch.UnixNano()),
		Subject:      pkix.Name{Country: []string{"AT"}, CommonName: "PassDesk test DSC"},
		NotBefore:    epoch.Add(-365 * 24 * time.Hour),
		NotAfter:     epoch.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	return &HC1Signer{key: key, der: der, kid: sum[:8]}, nil
}

// TrustFile is the signer list, as a kiosk's dcc_trust file holds it.
func (s *HC1Signer) TrustFile() []byte {
	b, _ := json.Marshal([]map[string]string{{
		"kid":         base64.StdEncoding.EncodeToString(s.kid),
		"certificate": base64.StdEncoding.EncodeToString(s.der),
	}})
	return b
}

// HC1Cert is a signed certificate: what every encoding of it shares.
type HC1Cert struct {
	protected, payload, signature []byte
}

// Vaccination signs a vaccination certificate, dose of 2, given at iat less
// 60 days, with the certificate identifier ci, issued at iat and valid for
// a year.
func (s *HC1Signer) Vaccination(family, given, ci string, dose int, iat time.Time) (*HC1Cert, error) {
	dgc := map[string]any{
		"ver": "1.3.0",
		"nam": map[string]any{"fn": family, "gn": given, "fnt": family, "gnt": given},
		"dob": "1990-01-01",
		"v": []any{map[string]any{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
			"dn": dose, "sd": 2, "dt": iat.AddDate(0, 0, -60).Format("2006-01-02"), "co": "AT",
			"is": "Ministry of Health, Austria", "ci": ci}},
	}
	return s.Sign(map[int]any{1: "AT", 4: iat.AddDate(1, 0, 0).Unix(), 6: iat.Unix(), -260: map[int]any{1: dgc}})
}

// Sign signs CWT claims as an HC1 certificate (ES256, kid in the protected
// header).
func (s *HC1Signer) Sign(claims map[int]any) (*HC1Cert, error) {
	protected, err := cbor.Marshal(map[int]any{1: -7, 4: s.kid})
	if err != nil {
		return nil, err
	}
	payload, err := cbor.Marshal(claims)
	if err != nil {
		return nil, err
	}
	tbs, err := cbor.Marshal([]any{"Signature1", protected, []byte{}, payload})
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(tbs)
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return &HC1Cert{protected: protected, payload: payload, signature: sig}, nil
}

// HC1Encoding says how a certificate is written as a QR text, changing
// only what its signature does not cover. The zero value is what issuers
// write: COSE tag 18, an empty unprotected header, best compression.
type HC1Encoding struct {
	Level       int         // zlib level (zlib.HuffmanOnly up to zlib.BestCompression); 0 means zlib.BestCompression
	Unprotected map[any]any // the unprotected header; nil means empty
	Untagged    bool        // leave out the COSE tag 18
	CWT         bool        // wrap in the CWT tag 61
	Chunked     bool        // the protected header and payload as indefinite-length byte strings in two chunks
}

// Text writes the certificate as an HC1 QR text.
func (c *HC1Cert) Text(e HC1Encoding) (string, error) {
	unprotected := e.Unprotected
	if unprotected == nil {
		unprotected = map[any]any{}
	}
	var msg bytes.Buffer
	if e.CWT {
		msg.Write([]byte{0xd8, 61})
	}
	if !e.Untagged {
		msg.WriteByte(0xd2)
	}
	msg.WriteByte(0x84)
	for _, f := range []struct {
		v       any
		chunked bool
	}{{c.protected, e.Chunked}, {unprotected, false}, {c.payload, e.Chunked}, {c.signature, false}} {
		if b, ok := f.v.([]byte); ok && f.chunked {
			msg.WriteByte(0x5f) // an indefinite-length byte string
			for _, part := range [][]byte{b[:len(b)/2], b[len(b)/2:]} {
				enc, err := cbor.Marshal(part)
				if err != nil {
					return "", err
				}
				msg.Write(enc)
			}
			msg.WriteByte(0xff)
			continue
		}
		enc, err := cbor.Marshal(f.v)
		if err != nil {
			return "", err
		}
		msg.Write(enc)
	}
	level := e.Level
	if level == 0 {
		level = zlib.BestCompression
	}
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, level)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(msg.Bytes()); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "HC1:" + base45.Encode(z.Bytes()), nil
}

// Forged is the certificate with one bit of its signature flipped: the
// same signed content under a signature that no longer verifies.
func (c *HC1Cert) Forged() *HC1Cert {
	f := *c
	f.signature = append([]byte(nil), c.signature...)
	f.signature[len(f.signature)-1] ^= 1
	return &f
}
