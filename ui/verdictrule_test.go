package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"passdesk/app"
	"passdesk/pass"
)

// screenText is the verdict view's words as laid out, one line each.
func screenText(v *verdictView) []string {
	var lines []string
	for _, o := range test.WidgetRenderer(v).Objects() {
		if tx, ok := o.(*canvas.Text); ok {
			lines = append(lines, tx.Text)
		}
	}
	return lines
}

// TestVerdictShowsFailedRule checks that a rules_failed deny shows the
// failed rule's text for staff in the window's language, under the reason.
func TestVerdictShowsFailedRule(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	const fixedKorean = "증명서가 입국·방역 규칙을 충족하지 않습니다."
	englishOnly := &pass.FailedRule{ID: "VR-EU-0003", Version: "1.0.0", Staff: map[string]string{
		"en": "At least 2 doses of a two-dose vaccine", "ko": fixedKorean + "\nAt least 2 doses of a two-dose vaccine"}}
	withKorean := &pass.FailedRule{ID: "VR-EU-0001", Version: "1.0.1", Staff: map[string]string{
		"en": "The vaccination course is not complete", "ko": "접종을 완료하지 않았습니다"}}
	for _, tc := range []struct {
		name, lang string
		rule       *pass.FailedRule
		want       []string // the rule's lines, in order
	}{
		{"English", English, withKorean, []string{"The vaccination course is not complete"}},
		{"Korean text of the rule", Korean, withKorean, []string{"접종을 완료하지 않았습니다"}},
		{"Korean without Korean text", Korean, englishOnly, []string{fixedKorean, "At least 2 doses of a two-dose vaccine"}},
		{"English without Korean text", English, englishOnly, []string{"At least 2 doses of a two-dose vaccine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerdictView(nil)
			w := test.NewTempWindow(t, container.NewStack(v))
			w.Resize(fyne.NewSize(1280, 800))
			res := app.Result{Recorded: true, Verdict: pass.Verdict{Reason: pass.RulesFailed, Rule: tc.rule},
				Entry: app.Entry{Outcome: app.Deny, Method: app.Offline, Name: "Musterfrau", Time: epoch, Rule: tc.rule.Ref()}}
			v.setVerdict(describe(c, tc.lang, res))
			lines := screenText(v)
			// The rule's words come right under the reason's, wrapped to
			// the width; each of its lines starts a line of its own.
			words := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
			reason := reasonText(c, tc.lang, string(pass.RulesFailed))
			want := strings.Join(strings.Fields(reason+" "+strings.Join(tc.want, " ")), " ")
			if !strings.Contains(words, want) {
				t.Errorf("screen %q, want %q", lines, want)
			}
			for _, first := range tc.want {
				if lineStarting(lines, strings.Fields(first)[0]) < 0 {
					t.Errorf("%q does not start a line: %q", first, lines)
				}
			}
		})
	}
	t.Run("other denials show no rule", func(t *testing.T) {
		res := app.Result{Recorded: true, Verdict: pass.Verdict{Reason: pass.QRExpired}, Entry: app.Entry{Outcome: app.Deny, Time: epoch}}
		if got := describe(c, Korean, res).Rule; got != "" {
			t.Errorf("rule line %q on a qr_expired deny", got)
		}
	})
}

// lineStarting is the first line that starts with word, -1 when none does.
func lineStarting(lines []string, word string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, word) {
			return i
		}
	}
	return -1
}
