package assets

import (
	"embed"
	_ "embed"
)

//go:generate go run ./internal/iconmaker -o icon.png

// Icon is the 512x512 application icon (FyneApp.toml names the same file).
//
//go:embed icon.png
var Icon []byte

// Translations holds en.json and ko.json under "translations", the format
// fyne.io/fyne/v2/lang.AddTranslationsFS reads.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the folder inside Translations.
const TranslationsDir = "translations"

// Desktop is the XDG autostart entry that starts PassDesk at login on a
// venue PC (copy it to ~/.config/autostart/).
//
//go:embed passdesk.desktop
var Desktop []byte
