package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The pilot PKI that passd init makes in the data directory: a CA that
// kiosks trust and a server certificate it signs for passd serve
// --tls-cert/--tls-key. A country's service would use its own PKI; these
// let a pilot run TLS from the first day.
const (
	caCertFile    = "tls-ca.pem"
	caKeyFile     = "tls-ca.key"
	serverCert    = "tls-server.pem"
	serverKeyFile = "tls-server.key"
	caLife        = 10 * 365 * 24 * time.Hour
	serverLife    = 397 * 24 * time.Hour // what browsers accept, and a yearly renewal
	renewBefore   = 30 * 24 * time.Hour
)

// tlsFiles are the paths of the pilot PKI's files.
type tlsFiles struct{ dir string }

func (f tlsFiles) path(name string) string { return filepath.Join(f.dir, name) }

// pilotNames are the names every server certificate carries, so that
// passd on the same machine is reachable over TLS without --host.
var pilotNames = []string{"localhost", "127.0.0.1", "::1"}

// ensureTLS makes the CA when there is none, and a server certificate
// when there is none, when it lacks one of hosts or when it expires
// within 30 days; an existing CA is kept, so kiosks keep trusting it. It
// says whether it made a new server certificate.
func ensureTLS(f tlsFiles, hosts []string, now time.Time) (issued bool, err error) {
	ca, caKey, err := loadCA(f)
	if errors.Is(err, fs.ErrNotExist) {
		ca, caKey, err = makeCA(f, now)
	}
	if err != nil {
		return false, err
	}
	names := append(slices.Clone(pilotNames), hosts...)
	cur, err := loadCert(f.path(serverCert))
	if err == nil {
		if covers(cur, names) && now.Add(renewBefore).Before(cur.NotAfter) && cur.CheckSignatureFrom(ca) == nil {
			return false, nil
		}
		// A new certificate keeps the names of the one it replaces.
		names = append(names, cur.DNSNames...)
		names = append(names, ipStrings(cur)...)
	}
	return true, issueServer(f, ca, caKey, names, now)
}

func makeCA(f tlsFiles, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	abs, _ := filepath.Abs(f.dir)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"PassDesk"}, CommonName: "passd pilot CA " + filepath.Base(abs)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLife),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePEM(f.path(caKeyFile), "PRIVATE KEY", mustPKCS8(key)); err != nil {
		return nil, nil, err
	}
	if err := writePEM(f.path(caCertFile), "CERTIFICATE", der); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

func issueServer(f tlsFiles, ca *x509.Certificate, caKey *ecdsa.PrivateKey, names []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"PassDesk"}, CommonName: names[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLife),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if !slices.Contains(tmpl.DNSNames, n) {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	// The key first: a certificate never names a key that is not there.
	if err := writePEM(f.path(serverKeyFile), "PRIVATE KEY", mustPKCS8(key)); err != nil {
		return err
	}
	return writePEM(f.path(serverCert), "CERTIFICATE", der)
}

// covers says whether c is valid for every name.
func covers(c *x509.Certificate, names []string) bool {
	for _, n := range names {
		if c.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

func loadCA(f tlsFiles) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	ca, err := loadCert(f.path(caCertFile))
	if err != nil {
		return nil, nil, err
	}
	pair, err := tls.LoadX509KeyPair(f.path(caCertFile), f.path(caKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("the pilot CA: %w", err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("the pilot CA key %s is not ECDSA", f.path(caKeyFile))
	}
	return ca, key, nil
}

func loadCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return x509.ParseCertificate(blk.Bytes)
}

// spkiPin is the base64 SHA-256 of c's public key (an HPKP-style pin):
// what a kiosk can pin instead of the CA file.
func spkiPin(c *x509.Certificate) string {
	h := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(h[:])
}

// writePEM writes one PEM block to path, mode 0600, by rename.
func writePEM(path, typ string, der []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: typ, Bytes: der}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func mustPKCS8(key *ecdsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // an ECDSA P-256 key always marshals
	}
	return b
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

func ipStrings(c *x509.Certificate) []string {
	var s []string
	for _, ip := range c.IPAddresses {
		s = append(s, ip.String())
	}
	return s
}
