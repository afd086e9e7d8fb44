package app

import "strings"

// A keyboard-wedge scanner types a QR code as key presses. On a Korean PC
// with the Hangul input method on, the presses arrive as 두벌식 jamo,
// composed into syllables ("PD1:" becomes "ㅖㅇ1:"); with Caps Lock on,
// the letters arrive in lower case. Pass texts (PD1, HC1) are Base45,
// upper-case letters, digits and " $%*+-./:", so both are undone without
// loss: each syllable splits back into its jamo, each jamo becomes its key,
// and letters are folded to upper case. The repair is applied only when
// the text does not already start with a known prefix and the repaired one
// does, so a text that is fine, or that is no pass, is left as it came.

// RepairTyped returns text as the scanner meant it, given the known pass
// prefixes ("PD1:", "HC1:"), or text itself when no repair makes a pass.
func RepairTyped(text string, prefixes []string) string {
	if hasPrefix(text, prefixes) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= syllableFirst && r <= syllableLast:
			i := int(r - syllableFirst)
			b.WriteString(choKeys[i/(21*28)])
			b.WriteString(jungKeys[i/28%21])
			b.WriteString(jongKeys[i%28])
		case r >= compatFirst && r < compatFirst+rune(len(compatKeys)):
			b.WriteString(compatKeys[r-compatFirst])
		default:
			b.WriteRune(r)
		}
	}
	if fixed := b.String(); hasPrefix(fixed, prefixes) {
		return fixed
	}
	return text
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Unicode ranges of precomposed Hangul syllables and compatibility jamo.
const (
	syllableFirst = 0xAC00
	syllableLast  = 0xD7A3
	compatFirst   = 0x3131
)

// The 두벌식 keys of each jamo, upper case (the case is folded anyway):
// initials, medials and finals in Unicode's syllable order, then the
// compatibility jamo ㄱ (U+3131) to ㅣ (U+3163). Compound jamo take two keys.
var (
	choKeys = [19]string{"R", "R", "S", "E", "E", "F", "A", "Q", "Q", "T", "T", "D", "W", "W", "C", "Z", "X", "V", "G"}
	//                   ㅏ    ㅐ    ㅑ    ㅒ    ㅓ    ㅔ    ㅕ    ㅖ    ㅗ    ㅘ     ㅙ     ㅚ     ㅛ    ㅜ    ㅝ     ㅞ     ㅟ     ㅠ    ㅡ    ㅢ     ㅣ
	jungKeys = [21]string{"K", "O", "I", "O", "J", "P", "U", "P", "H", "HK", "HO", "HL", "Y", "N", "NJ", "NP", "NL", "B", "M", "ML", "L"}
	//                   -   ㄱ    ㄲ    ㄳ     ㄴ    ㄵ     ㄶ     ㄷ    ㄹ    ㄺ     ㄻ     ㄼ     ㄽ     ㄾ     ㄿ     ㅀ     ㅁ    ㅂ    ㅄ     ㅅ    ㅆ    ㅇ    ㅈ    ㅊ    ㅋ    ㅌ    ㅍ    ㅎ
	jongKeys   = [28]string{"", "R", "R", "RT", "S", "SW", "SG", "E", "F", "FR", "FA", "FQ", "FT", "FX", "FV", "FG", "A", "Q", "QT", "T", "T", "D", "W", "C", "Z", "X", "V", "G"}
	compatKeys = [51]string{
		"R", "R", "RT", "S", "SW", "SG", "E", "E", "F", "FR", "FA", "FQ", "FT", "FX", "FV", "FG", // ㄱ-ㅀ
		"A", "Q", "Q", "QT", "T", "T", "D", "W", "W", "C", "Z", "X", "V", "G", // ㅁ-ㅎ
		"K", "O", "I", "O", "J", "P", "U", "P", "H", "HK", "HO", "HL", "Y", "N", "NJ", "NP", "NL", "B", "M", "ML", "L", // ㅏ-ㅣ
	}
)
