package remote

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"passdesk/api"
)

// ReadCredential reads a kiosk's bearer token from its file. The file must
// be readable by its owner only (the token lets anyone write entries in
// the venue's name) and hold one token of passd's kind.
func ReadCredential(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("credential_file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("credential_file %s: mode %v lets others read the kiosk's credential; make it readable by its owner only (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("credential_file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if !strings.HasPrefix(tok, api.TokenPrefix) || len(tok) < len(api.TokenPrefix)+16 || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("credential_file %s: not a kiosk credential (it starts with %q; `passd kiosk add` prints one)", path, api.TokenPrefix)
	}
	return tok, nil
}

// TLSConfig is the client's TLS: 1.2 at least (1.3 with passd), the
// service's certificate checked against caFile when given (a pilot's own
// CA, or the service's certificate itself), the system roots otherwise.
func TLSConfig(caFile string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("server_ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("server_ca %s: no PEM certificate in it", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}
