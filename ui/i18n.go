package ui

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"passdesk/assets"
)

// Languages the kiosk speaks.
const (
	Korean  = "ko"
	English = "en"
)

// catalog holds the kiosk's strings in every language, read from the same
// translation files that are registered with fyne's lang package. PassDesk
// keeps its own lookup because a manager switches language at run time,
// which lang (it follows the system locale) cannot do.
type catalog struct {
	msgs map[string]map[string]string // language -> key -> text
}

func loadCatalog() (*catalog, error) {
	files, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		return nil, err
	}
	c := &catalog{msgs: map[string]map[string]string{}}
	for _, f := range files {
		data, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, f.Name()))
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("translations %s: %w", f.Name(), err)
		}
		c.msgs[strings.TrimSuffix(f.Name(), ".json")] = m
	}
	if c.msgs[English] == nil {
		return nil, fmt.Errorf("translations: no %s.json", English)
	}
	return c, nil
}

// registerTranslations hands the files to fyne's lang package so that any
// lang.L lookup made by widgets agrees with PassDesk's own strings.
func registerTranslations() { registerOnce.Do(addTranslations) }

var registerOnce sync.Once

func addTranslations() {
	if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
		fyne.LogError("loading translations", err)
	}
}

// text returns the message for key in language l, falling back to English
// and then to the key itself, formatted with args when there are any.
func (c *catalog) text(l, key string, args ...any) string {
	s, ok := c.msgs[l][key]
	if !ok {
		s, ok = c.msgs[English][key]
	}
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// SystemLanguage is Korean when the system locale is Korean, else English.
func SystemLanguage() string {
	if strings.HasPrefix(strings.ToLower(string(lang.SystemLocale())), Korean) {
		return Korean
	}
	return English
}

// pickLanguage chooses the configured language, or the system's when the
// configuration leaves it empty or names one the kiosk does not speak.
func pickLanguage(configured string, system func() string) string {
	switch configured {
	case Korean, English:
		return configured
	}
	return system()
}
