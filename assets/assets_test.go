package assets_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"path"
	"strings"
	"testing"

	"passdesk/assets"
)

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(assets.Icon))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
}

func TestTranslationsParse(t *testing.T) {
	files, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]bool{}
	for _, f := range files {
		b, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: %v", f.Name(), err)
		}
		langs[strings.TrimSuffix(f.Name(), ".json")] = len(m) > 0
	}
	if !langs["en"] || !langs["ko"] {
		t.Errorf("translations %v, want en and ko", langs)
	}
}

func TestDesktopEntry(t *testing.T) {
	d := string(assets.Desktop)
	for _, want := range []string{"[Desktop Entry]", "\nType=Application\n", "\nExec=passdesk\n", "\nName=PassDesk\n", "X-GNOME-Autostart-enabled=true"} {
		if !strings.Contains(d, want) {
			t.Errorf("passdesk.desktop lacks %q", want)
		}
	}
}
