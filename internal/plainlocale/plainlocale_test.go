package plainlocale_test

import (
	"testing"

	"passdesk/internal/plainlocale"
)

func TestApply(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"C.UTF-8 in LANG", map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "C"}},
		{"C.utf8 in LC_ALL", map[string]string{"LC_ALL": "C.utf8", "LANG": "ko_KR.UTF-8"}, map[string]string{"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}},
		{"POSIX with a modifier", map[string]string{"LC_MESSAGES": "POSIX@euro"}, map[string]string{"LC_MESSAGES": "C"}},
		{"plain C", map[string]string{"LANG": "C"}, map[string]string{"LANG": "C"}},
		{"Korean", map[string]string{"LANG": "ko_KR.UTF-8"}, map[string]string{"LANG": "ko_KR.UTF-8"}},
		{"Korean wins over a C LANG", map[string]string{"LC_ALL": "ko_KR.UTF-8", "LANG": "C.UTF-8"}, map[string]string{"LC_ALL": "ko_KR.UTF-8", "LANG": "C.UTF-8"}},
		{"nothing set", map[string]string{}, map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			plainlocale.Apply(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if len(env) != len(c.want) {
				t.Fatalf("env %v, want %v", env, c.want)
			}
			for k, v := range c.want {
				if env[k] != v {
					t.Errorf("%s=%q, want %q", k, env[k], v)
				}
			}
		})
	}
}
