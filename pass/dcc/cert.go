package dcc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// signer is one trusted document signer certificate.
type signer struct {
	kid       []byte
	country   string
	public    any // *ecdsa.PublicKey or *rsa.PublicKey
	notBefore time.Time
	notAfter  time.Time
	usage     []asn1.ObjectIdentifier // the DCC type OIDs of its extended key usage
}

// DCC extended key usage OIDs: a document signer restricted to some
// certificate types lists them. Both arcs were issued in practice.
var typeOIDs = map[string][]asn1.ObjectIdentifier{
	TypeTest:        {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 1}},
	TypeVaccination: {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}},
	TypeRecovery:    {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 3}},
}

// dccUsage keeps the DCC type OIDs among a certificate's extended key usages.
func dccUsage(oids []asn1.ObjectIdentifier) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, o := range oids {
		for _, list := range typeOIDs {
			for _, t := range list {
				if o.Equal(t) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// allows reports whether the signer may sign this certificate type: a
// signer whose extended key usage names no DCC type may sign all of them.
func (s *signer) allows(certType string) bool {
	if len(s.usage) == 0 {
		return true
	}
	for _, o := range s.usage {
		for _, t := range typeOIDs[certType] {
			if o.Equal(t) {
				return true
			}
		}
	}
	return false
}

// parseSigner takes what verification needs from a DER certificate. Real
// document signers include certificates crypto/x509 refuses (negative serial
// numbers, odd extensions); those are read with a minimal parser instead,
// since only the key, the validity and the extended key usage matter here.
func parseSigner(der []byte) (*signer, error) {
	if c, err := x509.ParseCertificate(der); err == nil {
		return &signer{public: c.PublicKey, notBefore: c.NotBefore, notAfter: c.NotAfter, usage: dccUsage(c.UnknownExtKeyUsage)}, nil
	}
	return parseSignerMinimal(der)
}

type minimalCert struct {
	TBS    tbsCertificate
	SigAlg asn1.RawValue
	Sig    asn1.BitString
}

type tbsCertificate struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     asn1.RawValue
	SigAlg     asn1.RawValue
	Issuer     asn1.RawValue
	Validity   struct{ NotBefore, NotAfter time.Time }
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

func parseSignerMinimal(der []byte) (*signer, error) {
	var c minimalCert
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("certificate is not X.509 DER")
	}
	pub, err := x509.ParsePKIXPublicKey(c.TBS.SPKI.FullBytes)
	if err != nil {
		var explicitErr error
		if pub, explicitErr = parseExplicitEC(c.TBS.SPKI.FullBytes); explicitErr != nil {
			return nil, fmt.Errorf("certificate public key: %w", err)
		}
	}
	s := &signer{public: pub, notBefore: c.TBS.Validity.NotBefore, notAfter: c.TBS.Validity.NotAfter}
	for _, ext := range c.TBS.Extensions {
		if ext.Id.Equal(oidExtKeyUsage) {
			var oids []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(ext.Value, &oids); err != nil {
				return nil, errors.New("certificate extended key usage unreadable")
			}
			s.usage = dccUsage(oids)
		}
	}
	return s, nil
}

// ecParameters are explicit elliptic curve domain parameters (SEC 1, C.2),
// which some national document signers carry instead of a curve name.
type ecParameters struct {
	Version int
	FieldID struct {
		FieldType asn1.ObjectIdentifier
		Prime     *big.Int
	}
	Curve struct {
		A, B []byte
		Seed asn1.BitString `asn1:"optional"`
	}
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
)

// parseExplicitEC reads an EC public key whose curve is given by explicit
// parameters, accepting them only when they are exactly those of P-256,
// P-384 or P-521: arbitrary curves are never trusted.
func parseExplicitEC(spki []byte) (*ecdsa.PublicKey, error) {
	var info struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &info); err != nil || len(rest) != 0 {
		return nil, errors.New("public key info unreadable")
	}
	if !info.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, errors.New("not an EC public key")
	}
	var p ecParameters
	if rest, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, errors.New("EC parameters unreadable")
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.Order == nil {
		return nil, errors.New("EC parameters not over a prime field")
	}
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		cp := curve.Params()
		size := (cp.BitSize + 7) / 8
		a := new(big.Int).Sub(cp.P, big.NewInt(3)) // the NIST curves have a = -3
		gx := cp.Gx.FillBytes(make([]byte, size))
		uncompressed := append(append([]byte{4}, gx...), cp.Gy.FillBytes(make([]byte, size))...)
		compressed := append([]byte{2 | byte(cp.Gy.Bit(0))}, gx...)
		if cp.P.Cmp(p.FieldID.Prime) == 0 && cp.N.Cmp(p.Order) == 0 &&
			a.Cmp(new(big.Int).SetBytes(p.Curve.A)) == 0 && cp.B.Cmp(new(big.Int).SetBytes(p.Curve.B)) == 0 &&
			(bytes.Equal(uncompressed, p.Base) || bytes.Equal(compressed, p.Base)) &&
			(p.Cofactor == nil || p.Cofactor.Cmp(big.NewInt(1)) == 0) {
			return ecdsa.ParseUncompressedPublicKey(curve, info.PublicKey.RightAlign())
		}
	}
	return nil, errors.New("EC parameters of an unsupported curve")
}
