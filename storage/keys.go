package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"passdesk/internal/atomicfile"
)

// loadKeys reads phone.key and venue.secret, making them on first run. A
// missing key next to an existing ledger is an error, not a new key: a new
// key would silently make every stored phone number unreadable.
func (l *Ledger) loadKeys(dbExisted bool) error {
	create := !dbExisted && !l.opts.ReadOnly
	pk, err := loadKey(filepath.Join(l.dir, PhoneKey), create)
	if err != nil {
		return err
	}
	vk, err := loadKey(filepath.Join(l.dir, VenueKey), create)
	if err != nil {
		return err
	}
	block, err := aes.NewCipher(pk)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	l.phone = phoneCipher{aead: aead}
	l.venueKey = vk
	return nil
}

func loadKey(path string, create bool) ([]byte, error) {
	k, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		return makeKey(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("storage: %s is missing next to the existing ledger; restore it from a backup", path)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if len(k) != keyLength {
		return nil, fmt.Errorf("storage: %s holds %d bytes, want %d", path, len(k), keyLength)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		// Tighten a key that a copy or restore left readable by others.
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("storage: %s is readable by others and cannot be made private: %w", path, err)
		}
	}
	return k, nil
}

// makeKey writes a fresh random key with mode 0600, atomically (temporary
// file, fsync, rename), so a crash never leaves a short key behind.
func makeKey(path string) ([]byte, error) {
	k := make([]byte, keyLength)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if err := atomicfile.Create(path, k, 0o600); err != nil {
		return nil, fmt.Errorf("storage: writing %s: %w", path, err)
	}
	return k, nil
}

// mac is HMAC-SHA256 under the venue secret over the given parts, each
// length-prefixed so that no two part lists give the same input.
func (l *Ledger) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, l.venueKey)
	var c canon
	for _, p := range parts {
		c.bytes(p)
	}
	m.Write(c.b)
	return m.Sum(nil)
}

// subMAC is the keyed hash the ledger keeps instead of a holder's sub:
// HMAC-SHA256(venue secret, sub). It lets a venue tell that two visits were
// the same holder without keeping who it was.
func (l *Ledger) subMAC(sub []byte) []byte {
	if len(sub) == 0 {
		return []byte{}
	}
	m := hmac.New(sha256.New, l.venueKey)
	m.Write(sub)
	return m.Sum(nil)
}

// phoneCipher seals phone numbers with AES-256-GCM, a random nonce per
// number, and the entry ID as additional data so a sealed number cannot be
// moved to another row.
type phoneCipher struct {
	aead cipher.AEAD
}

func (p phoneCipher) seal(phone, entryID string) ([]byte, error) {
	if phone == "" {
		return []byte{}, nil
	}
	nonce := make([]byte, p.aead.NonceSize(), p.aead.NonceSize()+len(phone)+p.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return p.aead.Seal(nonce, nonce, []byte(phone), []byte(entryID)), nil
}

func (p phoneCipher) open(sealed []byte, entryID string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := p.aead.NonceSize()
	if len(sealed) < n+p.aead.Overhead() {
		return "", errors.New("storage: sealed phone number is too short")
	}
	plain, err := p.aead.Open(nil, sealed[:n], sealed[n:], []byte(entryID))
	if err != nil {
		return "", fmt.Errorf("storage: phone number of entry %s cannot be decrypted (wrong phone.key or altered row)", entryID)
	}
	return string(plain), nil
}

// maskPhone shows the first three and last four digits of a phone number
// ("010-****-5678"); shorter numbers show only their last two digits.
func maskPhone(phone string) string {
	var d []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			d = append(d, phone[i])
		}
	}
	switch {
	case len(d) == 0 && phone == "":
		return ""
	case len(d) >= 9:
		return string(d[:3]) + "-****-" + string(d[len(d)-4:])
	case len(d) >= 2:
		return strings.Repeat("*", len(d)-2) + string(d[len(d)-2:])
	default:
		return "****"
	}
}
