package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"passdesk/app"
	"passdesk/pass"
)

var reasons = []pass.Reason{
	pass.UnsupportedFormat, pass.Malformed, pass.TrustListStale, pass.UnknownIssuer,
	pass.BadIssuerSignature, pass.BadHolderSignature, pass.CredentialNotYetValid,
	pass.CredentialExpired, pass.QRFromFuture, pass.QRExpired, pass.Revoked,
	pass.PolicyDenied, pass.Duplicate,
}

func TestTranslationsMatch(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	en, ko := c.msgs[English], c.msgs[Korean]
	for k, v := range en {
		kv, ok := ko[k]
		if !ok {
			t.Errorf("ko.json lacks %q", k)
			continue
		}
		if strings.Count(v, "%") != strings.Count(kv, "%") {
			t.Errorf("%q: en %q and ko %q take different arguments", k, v, kv)
		}
	}
	for k := range ko {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
}

func TestEveryReasonHasWords(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{English, Korean} {
		for _, r := range reasons {
			v := describe(c, l, app.Result{Recorded: true, Verdict: pass.Verdict{Reason: r}, Entry: app.Entry{Outcome: app.Deny}})
			if r == pass.Duplicate {
				if v.Kind != kindDuplicate {
					t.Errorf("%s %s: kind %v, want duplicate", l, r, v.Kind)
				}
				continue
			}
			if v.Detail == "" || v.Detail == c.text(l, "deny.unknown", r) || strings.HasPrefix(v.Detail, "deny.") {
				t.Errorf("%s %s: no sentence (%q)", l, r, v.Detail)
			}
			if v.Action == "" || v.Action == c.text(l, "do.unknown") {
				t.Errorf("%s %s: no action (%q)", l, r, v.Action)
			}
		}
	}
	v := describe(c, English, app.Result{Recorded: true, Verdict: pass.Verdict{Reason: "new_rule"}, Entry: app.Entry{Outcome: app.Deny}})
	if !strings.Contains(v.Detail, "new_rule") || v.Action == "" {
		t.Errorf("an unknown reason: %+v", v)
	}
}

func TestPickLanguage(t *testing.T) {
	korean := func() string { return Korean }
	for _, tc := range []struct{ configured, want string }{
		{"", Korean}, {"en", English}, {"ko", Korean}, {"fr", Korean},
	} {
		if got := pickLanguage(tc.configured, korean); got != tc.want {
			t.Errorf("pickLanguage(%q) = %q, want %q", tc.configured, got, tc.want)
		}
	}
}

func TestWrapText(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	long := "This QR code is more than 15 seconds old: open the app and show a new code"
	lines := wrapText(long, 40, 500)
	if len(lines) < 2 {
		t.Fatalf("%q in 500 px at 40 px: %d line(s)", long, len(lines))
	}
	if got := strings.Join(lines, " "); got != long {
		t.Errorf("wrapping lost words: %q", got)
	}
	ko := "앱을 열어 새 코드를 보여 주세요. 캡처 화면은 받지 않습니다."
	if got := strings.Join(wrapText(ko, 40, 300), " "); got != ko {
		t.Errorf("Korean wrapping: %q", got)
	}
	// One word wider than the line is cut rather than overflowing.
	for _, l := range wrapText(strings.Repeat("가", 40), 40, 300) {
		if len([]rune(l)) == 40 {
			t.Error("an over-long word was not cut")
		}
	}
}
