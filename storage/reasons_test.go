package storage

import "testing"

func TestReasonLabel(t *testing.T) {
	for code, want := range map[string]string{
		"qr_expired": "QR 시간 초과 · QR too old",
		"malformed":  "읽을 수 없는 코드 · Unreadable code",
		"new_code":   "new_code",
	} {
		if got := reasonLabel(code); got != want {
			t.Errorf("reasonLabel(%q) = %q, want %q", code, got, want)
		}
	}
}
