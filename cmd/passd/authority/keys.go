package authority

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"passdesk/internal/atomicfile"
)

// Files in a data directory.
const (
	rootKeyFile = "root.key" // the root private key (0600)
	rootPubFile = "root.pub" // the root public key kiosks pin, base64url
	dbFile      = "passd.db"
	// KiosksFile, when present, is the allow-list of kiosks: one
	// "VENUE_ID KIOSK_ID" per line, "#" starts a comment.
	KiosksFile = "kiosks.txt"
)

func issuerKeyFile(kid [8]byte) string { return "issuer-" + hex.EncodeToString(kid[:]) + ".key" }

// writeKey writes a private key's seed, base64url, to a new file readable
// only by its owner. It never overwrites: a key file is written once.
func writeKey(path string, key ed25519.PrivateKey) error {
	return atomicfile.Create(path, []byte(base64.RawURLEncoding.EncodeToString(key.Seed())+"\n"), 0o600)
}

// readKey reads a key file written by writeKey, refusing one that others
// may read.
func readKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: key file mode is %v; it must be readable by its owner only (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	seed, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a key file: %w", path, err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: key seed is %d bytes, want %d", path, len(seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// writeFileAtomic replaces path with data.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.Write(path, data, perm)
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}
