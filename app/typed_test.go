package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"passdesk/app"
)

// hc1Text is a real EU DCC QR text: dgc-testdata (Apache-2.0),
// PL/1.0.0/2DCode/raw/1.json.
const hc1Text = "HC1:6BFOXN%TS3DH1QG9WA6H98BRPRHO DJS4/ R-%2%T4E+NAVDQ81LO2-36/X0X6BMF6.UCOMIN6R%E5UX4U96:/6N9R%EPXCROGO3HOWGOKEQBKL/645YPL$R-ROM47L*K1UPB65%PD*ZL*9DJZI202K-JKYJGCC:H3J1D1I3-*TW C57DNGSE%CM6EJ.CN8TF*SD8CL0D3VCL0DK0D4.S%JCJBCTYDWBDWVDUMCS1J+PB/VSQOL9DLSWCZ3EBKDVIJGDBDIT1NJGIA+OJ:CI-L3ZJA/3CZIJFVA.QO5VA81K0ECM8CXVDC8C 1JI7JSTNCA7G6M%28ODSINQIVQUIRYYQ4P7M9SB95S6M/355X7C25E8DLFEA3LS6FPOSXD79NT+X4VIOS0I63K*+7SLS9NTRFBOX4YGFD.O8RJ5XPUVPQRHIY1VS1NQ1PRAAUICO12Y99UE$V1*65CHK62HJEEK*M:C9GXN.SMPT1+2O::BOJHLTIPFEL-D+HD.35IIM:/M0S4*PA6447S6+1TIARN/NV 1S86P.N2SBDRNW2GTET6/VTKIX200TTJ2"

var prefixes = []string{"PD1:", "HC1:"}

func TestRepairTyped(t *testing.T) {
	r := newRig(t, nil)
	pd1 := r.holder(t, false).Present(epoch)
	for _, text := range []string{pd1, hc1Text} {
		for _, c := range []struct {
			name        string
			ime, capsOn bool
		}{{"plain", false, false}, {"hangul", true, false}, {"caps lock", false, true}, {"hangul and caps lock", true, true}} {
			t.Run(text[:3]+" "+c.name, func(t *testing.T) {
				typed := typeThrough(text, c.ime, c.capsOn)
				if c.ime && !strings.ContainsAny(typed, "ㅖㅇㅗㅊ") && typed == text {
					t.Fatalf("the IME changed nothing: %q", typed[:20])
				}
				if got := app.RepairTyped(typed, prefixes); got != text {
					t.Errorf("repaired %q\nwant     %q\n(typed %q)", got, text, typed)
				}
			})
		}
	}
	for _, text := range []string{"hello", "안녕하세요", "", "PD1:ALREADY FINE", "예약 123"} {
		if got := app.RepairTyped(text, prefixes); got != text {
			t.Errorf("%q is no pass but became %q", text, got)
		}
	}
}

// TestScanRepairsTypedText scans a PD1 pass typed by a scanner on a PC
// with the Hangul input method and Caps Lock on: it is admitted as the
// pass it is.
func TestScanRepairsTypedText(t *testing.T) {
	r := newRig(t, func(_ *app.Config, d *app.Deps) { d.Service = nil })
	typed := typeThrough(r.holder(t, false).Present(epoch), true, true)
	res := r.e.Scan(context.Background(), typed)
	if res.Entry.Outcome != app.Admit {
		t.Fatalf("typed through the Hangul IME: %q (%s), want admit", res.Entry.Outcome, res.Entry.Reason)
	}
	r.clock.Add(time.Second)
	if again := r.e.Scan(context.Background(), typed); again.Entry.Outcome != app.Duplicate {
		t.Errorf("the same typed pass again: %q, want duplicate", again.Entry.Outcome)
	}
}

// typeThrough types text on a US keyboard the way a scanner does (Shift
// for upper case), through Caps Lock and the 두벌식 Hangul input method
// as a Korean PC has them, and returns what the application receives.
func typeThrough(text string, ime, capsOn bool) string {
	var keys []rune
	for _, r := range text {
		if capsOn && r >= 'A' && r <= 'Z' {
			r += 'a' - 'A' // Shift under Caps Lock gives lower case
		} else if capsOn && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		keys = append(keys, r)
	}
	if !ime {
		return string(keys)
	}
	var c composer
	for _, k := range keys {
		c.key(k)
	}
	c.flush()
	return c.out.String()
}

// The 두벌식 layout: the jamo of each key, Shift giving the tense
// consonants and ㅒ ㅖ; other shifted keys give their plain jamo.
var (
	plainJamo = map[rune]rune{'q': 'ㅂ', 'w': 'ㅈ', 'e': 'ㄷ', 'r': 'ㄱ', 't': 'ㅅ', 'y': 'ㅛ', 'u': 'ㅕ', 'i': 'ㅑ', 'o': 'ㅐ', 'p': 'ㅔ',
		'a': 'ㅁ', 's': 'ㄴ', 'd': 'ㅇ', 'f': 'ㄹ', 'g': 'ㅎ', 'h': 'ㅗ', 'j': 'ㅓ', 'k': 'ㅏ', 'l': 'ㅣ',
		'z': 'ㅋ', 'x': 'ㅌ', 'c': 'ㅊ', 'v': 'ㅍ', 'b': 'ㅠ', 'n': 'ㅜ', 'm': 'ㅡ'}
	shiftJamo = map[rune]rune{'q': 'ㅃ', 'w': 'ㅉ', 'e': 'ㄸ', 'r': 'ㄲ', 't': 'ㅆ', 'o': 'ㅒ', 'p': 'ㅖ'}

	choOrder  = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
	jungOrder = []rune("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
	jongOrder = []rune(" ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
	vowelJoin = map[[2]rune]rune{{'ㅗ', 'ㅏ'}: 'ㅘ', {'ㅗ', 'ㅐ'}: 'ㅙ', {'ㅗ', 'ㅣ'}: 'ㅚ', {'ㅜ', 'ㅓ'}: 'ㅝ',
		{'ㅜ', 'ㅔ'}: 'ㅞ', {'ㅜ', 'ㅣ'}: 'ㅟ', {'ㅡ', 'ㅣ'}: 'ㅢ'}
	finalJoin = map[[2]rune]rune{{'ㄱ', 'ㅅ'}: 'ㄳ', {'ㄴ', 'ㅈ'}: 'ㄵ', {'ㄴ', 'ㅎ'}: 'ㄶ', {'ㄹ', 'ㄱ'}: 'ㄺ',
		{'ㄹ', 'ㅁ'}: 'ㄻ', {'ㄹ', 'ㅂ'}: 'ㄼ', {'ㄹ', 'ㅅ'}: 'ㄽ', {'ㄹ', 'ㅌ'}: 'ㄾ', {'ㄹ', 'ㅍ'}: 'ㄿ',
		{'ㄹ', 'ㅎ'}: 'ㅀ', {'ㅂ', 'ㅅ'}: 'ㅄ'}
)

func index(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

// composer is the input method's syllable automaton: initial, medial,
// final; a vowel after a final takes the final (or its second half) as
// the next syllable's initial.
type composer struct {
	out             strings.Builder
	cho, jung, jong rune // 0 when empty
}

func (c *composer) key(k rune) {
	lower := k
	shift := k >= 'A' && k <= 'Z'
	if shift {
		lower = k + 'a' - 'A'
	}
	j, ok := plainJamo[lower]
	if !ok {
		c.flush()
		c.out.WriteRune(k)
		return
	}
	if s, ok := shiftJamo[lower]; ok && shift {
		j = s
	}
	if index(jungOrder, j) >= 0 {
		c.vowel(j)
	} else {
		c.consonant(j)
	}
}

func (c *composer) consonant(j rune) {
	switch {
	case c.cho != 0 && c.jung != 0 && c.jong == 0 && index(jongOrder, j) > 0:
		c.jong = j
	case c.jong != 0 && finalJoin[[2]rune{c.jong, j}] != 0:
		c.jong = finalJoin[[2]rune{c.jong, j}]
	default:
		c.flush()
		c.cho = j
	}
}

func (c *composer) vowel(j rune) {
	switch {
	case c.jung != 0 && c.jong == 0 && vowelJoin[[2]rune{c.jung, j}] != 0:
		c.jung = vowelJoin[[2]rune{c.jung, j}]
	case c.cho != 0 && c.jung == 0:
		c.jung = j
	case c.jong != 0:
		next := c.jong
		for pair, joined := range finalJoin {
			if joined == c.jong {
				c.jong, next = pair[0], pair[1]
				break
			}
		}
		if next == c.jong {
			c.jong = 0
		}
		c.flush()
		c.cho, c.jung = next, j
	default:
		c.flush()
		c.jung = j
	}
}

func (c *composer) flush() {
	switch {
	case c.cho != 0 && c.jung != 0:
		jong := 0
		if c.jong != 0 {
			jong = index(jongOrder, c.jong)
		}
		c.out.WriteRune(rune(0xAC00 + (index(choOrder, c.cho)*21+index(jungOrder, c.jung))*28 + jong))
	case c.cho != 0:
		c.out.WriteRune(c.cho)
	case c.jung != 0:
		c.out.WriteRune(c.jung)
	}
	c.cho, c.jung, c.jong = 0, 0, 0
}
