package testpki_test

import (
	"crypto/x509"
	"testing"

	"passdesk/internal/testpki"
)

func TestIssue(t *testing.T) {
	ca, err := testpki.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	other, err := testpki.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(testpki.Loopback...)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(pool *x509.CertPool, name string) error {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name})
		return err
	}
	for _, name := range testpki.Loopback {
		if err := verify(ca.Pool(), name); err != nil {
			t.Errorf("%s under its CA: %v", name, err)
		}
	}
	if verify(other.Pool(), "127.0.0.1") == nil {
		t.Error("verifies under another CA of the same name")
	}
	if verify(ca.Pool(), "passd.example") == nil {
		t.Error("verifies for a name it does not carry")
	}
	if _, err := ca.Issue(); err == nil {
		t.Error("a certificate without a name was issued")
	}
}
