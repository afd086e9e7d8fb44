package storage

import (
	"encoding/json"
	"path"
	"sync"

	"passdesk/assets"
)

// reasonLabel is a reason code in the words staff see, Korean and English
// ("QR 시간 초과 · QR too old"), from the kiosk's own translations (their
// "reason." keys), for the printed report; a code without words is shown
// as it is.
func reasonLabel(code string) string {
	reasonWordsOnce.Do(loadReasonWords)
	ko, en := reasonWords["ko"]["reason."+code], reasonWords["en"]["reason."+code]
	switch {
	case ko != "" && en != "":
		return ko + " · " + en
	case en != "":
		return en
	}
	return code
}

var (
	reasonWordsOnce sync.Once
	reasonWords     = map[string]map[string]string{}
)

func loadReasonWords() {
	for _, l := range []string{"ko", "en"} {
		b, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, l+".json"))
		m := map[string]string{}
		if err == nil && json.Unmarshal(b, &m) == nil {
			reasonWords[l] = m
		}
	}
}
