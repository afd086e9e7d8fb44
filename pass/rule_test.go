package pass_test

import (
	"testing"

	"passdesk/pass"
)

func TestFailedRule(t *testing.T) {
	cases := []struct {
		name   string
		r      *pass.FailedRule
		ref    string
		ko, fr string
	}{
		{"nil", nil, "", "", ""},
		{"with version", &pass.FailedRule{ID: "VR-EU-0001", Version: "1.0.0", Staff: map[string]string{"en": "Doses", "ko": "접종 횟수"}},
			"VR-EU-0001@1.0.0", "접종 횟수", "Doses"},
		{"no version", &pass.FailedRule{ID: "none", Staff: map[string]string{"en": "No rule"}}, "none", "No rule", "No rule"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.Ref(); got != c.ref {
				t.Errorf("Ref %q, want %q", got, c.ref)
			}
			if got := c.r.StaffText("ko"); got != c.ko {
				t.Errorf("ko %q, want %q", got, c.ko)
			}
			if got := c.r.StaffText("fr"); got != c.fr {
				t.Errorf("fr (English fallback) %q, want %q", got, c.fr)
			}
		})
	}
}
