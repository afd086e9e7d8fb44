package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"passdesk/api"
)

// validID says whether s is a well-formed venue or kiosk ID: staff type
// them in the kiosk's settings, so any 1-64 characters of UTF-8 without
// control characters or surrounding spaces ("서울카페 2층" is one).
func validID(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

// kioskRule decides which kiosks the service answers.
//
// Without an allow-list file every kiosk with well-formed IDs is accepted
// and registers itself on its first entries upload. With the file (one
// "VENUE_ID KIOSK_ID" per line, a tab between them when an ID has spaces;
// "VENUE_ID *" for all of a venue's kiosks; "#" comments) only the kiosks
// it names are, for verification as well as uploads; it is read again
// when it changes.
type kioskRule struct {
	path string

	mu      sync.RWMutex
	allowed map[string]bool // "venue\x00kiosk" and "venue\x00*"; nil: no file
	modTime time.Time
	size    int64
}

func newKioskRule(path string) (*kioskRule, error) {
	k := &kioskRule{path: path}
	return k, k.reload()
}

// reload reads the allow-list again when its file changed.
func (k *kioskRule) reload() error {
	fi, err := os.Stat(k.path)
	if errors.Is(err, fs.ErrNotExist) {
		k.mu.Lock()
		k.allowed, k.modTime, k.size = nil, time.Time{}, 0
		k.mu.Unlock()
		return nil
	}
	if err != nil {
		return err
	}
	k.mu.RLock()
	same := k.allowed != nil && fi.ModTime().Equal(k.modTime) && fi.Size() == k.size
	k.mu.RUnlock()
	if same {
		return nil
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		return err
	}
	allowed, err := parseKiosks(b)
	if err != nil {
		return fmt.Errorf("%s: %w", k.path, err)
	}
	k.mu.Lock()
	k.allowed, k.modTime, k.size = allowed, fi.ModTime(), fi.Size()
	k.mu.Unlock()
	return nil
}

func parseKiosks(b []byte) (map[string]bool, error) {
	allowed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var f []string
		if venue, kiosk, ok := strings.Cut(line, "\t"); ok {
			f = []string{strings.TrimSpace(venue), strings.TrimSpace(kiosk)}
		} else {
			f = strings.Fields(line)
		}
		if len(f) != 2 || !validID(f[0]) || (f[1] != "*" && !validID(f[1])) {
			return nil, fmt.Errorf("line %d: want \"VENUE_ID KIOSK_ID\" or \"VENUE_ID *\"", n)
		}
		allowed[f[0]+"\x00"+f[1]] = true
	}
	return allowed, sc.Err()
}

// check says whether a kiosk may use the service. required says the IDs
// must be given (an upload); a verification may come without them when
// there is no allow-list.
func (k *kioskRule) check(venueID, kioskID string, required bool) error {
	k.mu.RLock()
	allowed := k.allowed
	k.mu.RUnlock()
	if venueID == "" && kioskID == "" && !required {
		if allowed == nil {
			return nil
		}
		return errorf(http.StatusForbidden, api.ReasonUnknownKiosk,
			"this service answers the kiosks on its allow-list only; give venue_id and kiosk_id")
	}
	for _, f := range []struct{ name, v string }{{"venue_id", venueID}, {"kiosk_id", kioskID}} {
		if !validID(f.v) {
			return errorf(http.StatusBadRequest, api.ReasonBadRequest,
				"%s %q is not 1-64 characters without control characters or surrounding spaces", f.name, f.v)
		}
	}
	if allowed != nil && !allowed[venueID+"\x00"+kioskID] && !allowed[venueID+"\x00*"] {
		return errorf(http.StatusForbidden, api.ReasonUnknownKiosk,
			"kiosk %s/%s is not on this service's allow-list", venueID, kioskID)
	}
	return nil
}
