package base45_test

import (
	"bytes"
	"errors"
	"testing"

	"passdesk/pass/base45"
)

// The examples of RFC 9285 section 4.
var rfcCases = []struct {
	raw, enc string
}{
	{"AB", "BB8"},
	{"Hello!!", "%69 VD92EX0"},
	{"base-45", "UJCLQE7W581"},
	{"ietf!", "QED8WEX0"},
	{"", ""},
	{"\xff", "U5"},
	{"\x00", "00"},
	{"\xff\xff", "FGW"},
	{"\x00\x00", "000"},
}

func TestEncodeDecode(t *testing.T) {
	for _, c := range rfcCases {
		t.Run(c.enc, func(t *testing.T) {
			if got := base45.Encode([]byte(c.raw)); got != c.enc {
				t.Errorf("Encode(%q) = %q, want %q", c.raw, got, c.enc)
			}
			got, err := base45.Decode(c.enc)
			if err != nil {
				t.Fatalf("Decode(%q): %v", c.enc, err)
			}
			if !bytes.Equal(got, []byte(c.raw)) {
				t.Errorf("Decode(%q) = %q, want %q", c.enc, got, c.raw)
			}
		})
	}
}

var badCases = []struct {
	name, in string
	want     any
}{
	{"one char", "A", base45.ErrLength},
	{"four chars", "BB8A", base45.ErrLength},
	{"lower case", "bb8", base45.CharError{}},
	{"not in alphabet", "GQY#", base45.ErrLength},
	{"bad char in group", "BB#", base45.CharError{}},
	{"utf-8", "B\xc3\xa9", base45.CharError{}},
	{"three over 65535", "GGW", base45.RangeError{}},
	{"max three plus one", "::W", base45.RangeError{}},
	{"two over 255", "::", base45.RangeError{}},
	{"two just over 255", "V5", base45.RangeError{}},
	{"two at 255", "U5x", base45.CharError{}},
}

func TestDecodeRejects(t *testing.T) {
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := base45.Decode(c.in)
			if err == nil {
				t.Fatalf("Decode(%q) succeeded, want an error", c.in)
			}
			switch want := c.want.(type) {
			case base45.CharError:
				if !errors.As(err, &want) {
					t.Errorf("Decode(%q) = %v, want a CharError", c.in, err)
				}
			case base45.RangeError:
				if !errors.As(err, &want) {
					t.Errorf("Decode(%q) = %v, want a RangeError", c.in, err)
				}
			case error:
				if !errors.Is(err, want) {
					t.Errorf("Decode(%q) = %v, want %v", c.in, err, want)
				}
			}
		})
	}
}

func TestRoundTripAllPairs(t *testing.T) {
	for n := 0; n <= 0xffff; n += 7 {
		src := []byte{byte(n >> 8), byte(n), byte(n * 31)}
		got, err := base45.Decode(base45.Encode(src))
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("round trip of %x = %x, %v", src, got, err)
		}
	}
}

func FuzzBase45(f *testing.F) {
	for _, c := range rfcCases {
		f.Add(c.enc)
	}
	for _, c := range badCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := base45.Decode(s)
		if err != nil {
			return
		}
		// A string that decodes is the canonical encoding of what it
		// decodes to: Base45 has exactly one encoding per byte sequence.
		if enc := base45.Encode(b); enc != s {
			t.Fatalf("Encode(Decode(%q)) = %q", s, enc)
		}
	})
}
