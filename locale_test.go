package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestStderrUnderCLocale runs commands of the built binary under the C
// locales of minimal installs: stderr carries only what PassDesk writes,
// never Fyne's complaint about the locale.
func TestStderrUnderCLocale(t *testing.T) {
	exe := buildPassdesk(t)
	for _, env := range []string{"LANG=C", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LC_ALL=POSIX"} {
		t.Run(env, func(t *testing.T) {
			cmd := exec.Command(exe, "verify", "PD1:NOT A PASS")
			cmd.Env = append(withoutLocale(os.Environ()), env)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("verify: %v\n%s", err, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr under %s: %q, want nothing", env, stderr.String())
			}
			if !strings.Contains(stdout.String(), `"reason":"malformed"`) {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANGUAGE=") {
			out = append(out, kv)
		}
	}
	return out
}
