// Package plainlocale keeps Fyne quiet about the C locale. Fyne reads the
// locale from the environment when its lang package initialises, and a
// "C.UTF-8" (the default of many containers and minimal installs) is not a
// language tag it can parse: it logs three "Fyne error" lines on stderr,
// where PassDesk's commands promise only their own output. The plain "C"
// means the same for messages (no translation) and Fyne takes it quietly,
// so this package, imported by main for its side effect, rewrites a C or
// POSIX locale with a codeset or modifier to plain "C" before Fyne
// initialises. Go initialises it first: it needs only os and strings,
// which Fyne's lang package needs too, and its import path sorts first
// among the packages then ready (Go spec, "Package initialization").
package plainlocale

import (
	"os"
	"strings"
)

func init() { Apply(os.Getenv, os.Setenv) }

// Apply rewrites the variable that decides the messages' language (the
// first set of LC_ALL, LC_MESSAGES, LANG) to "C" when it names the C or
// POSIX locale with a codeset or modifier ("C.UTF-8", "POSIX@euro"). Any
// other locale is left alone.
func Apply(getenv func(string) string, setenv func(string, string) error) {
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		if IsC(v) && v != "C" && v != "POSIX" {
			setenv(name, "C")
		}
		return
	}
}

// IsC reports whether a locale value is the C or POSIX locale, with or
// without a codeset or modifier.
func IsC(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	base, _, _ = strings.Cut(base, "@")
	return base == "C" || base == "POSIX"
}
