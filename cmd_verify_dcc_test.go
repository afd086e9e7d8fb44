package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyCommandHC1 runs one public EU DCC conformance case through
// `passdesk verify --dcc-trust` with the case's own signer certificate.
func TestVerifyCommandHC1(t *testing.T) {
	dir := os.Getenv("PASSDESK_DCC_TESTDATA")
	if dir == "" {
		dir = filepath.Join("testdata", "dcc")
	}
	caseFile := filepath.Join(dir, "AT", "2DCode", "raw", "1.json")
	raw, err := os.ReadFile(caseFile)
	if err != nil {
		t.Skipf("EU DCC conformance data not found at %s: %v", caseFile, err)
	}
	var tc struct {
		Prefix  string `json:"PREFIX"`
		TestCtx struct {
			Certificate string `json:"CERTIFICATE"`
			Clock       string `json:"VALIDATIONCLOCK"`
		} `json:"TESTCTX"`
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(t.TempDir(), "dsc.json")
	list, _ := json.Marshal([]map[string]string{{"certificate": tc.TestCtx.Certificate}})
	if err := os.WriteFile(trust, list, 0o600); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (verdictLine, map[string]any, int, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := dispatch(append([]string{"verify"}, args...), strings.NewReader(""), &out, &errb)
		var line verdictLine
		var fields map[string]any
		if out.Len() > 0 {
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("output %q: %v", out.String(), err)
			}
			_ = json.Unmarshal(out.Bytes(), &fields)
		}
		return line, fields, code, errb.String()
	}

	t.Run("first of two doses fails the built-in rules", func(t *testing.T) {
		line, _, code, stderr := run("--dcc-trust", trust, "--at", tc.TestCtx.Clock, tc.Prefix)
		if code != exitOK || line.Verdict != "deny" || line.Reason != "rules_failed" {
			t.Fatalf("exit %d, got %s/%s, want deny/rules_failed", code, line.Verdict, line.Reason)
		}
		if !strings.Contains(stderr, "VR-EU-0102") {
			t.Errorf("stderr %q does not name the failed rule", stderr)
		}
	})
	t.Run("EU template rules from a folder", func(t *testing.T) {
		rules := filepath.Join(filepath.Dir(dir), "certlogic", "dgc-business-rules-testdata", "EU")
		if _, err := os.Stat(rules); err != nil {
			t.Skipf("EU rule set not found: %v", err)
		}
		line, _, code, stderr := run("--dcc-trust", trust, "--dcc-rules", rules, "--at", "2021-06-02T00:00:00Z", tc.Prefix)
		if code != exitOK || line.Reason != "rules_failed" || !strings.Contains(stderr, "VR-EU-0002") {
			t.Fatalf("exit %d, reason %s, stderr %q; want rules_failed naming VR-EU-0002", code, line.Reason, stderr)
		}
	})
	t.Run("unreadable rule folder", func(t *testing.T) {
		_, _, code, stderr := run("--dcc-trust", trust, "--dcc-rules", filepath.Join(t.TempDir(), "none"), tc.Prefix)
		if code != exitFail || !strings.Contains(stderr, "--dcc-rules") {
			t.Fatalf("exit %d, stderr %q; want 2 naming --dcc-rules", code, stderr)
		}
	})
	t.Run("admit with the signer list, rules off", func(t *testing.T) {
		line, fields, code, stderr := run("--dcc-trust", trust, "--dcc-rules", "off", "--at", tc.TestCtx.Clock, tc.Prefix)
		if code != exitOK {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		if line.Verdict != "admit" || line.Reason != "ok" {
			t.Fatalf("got %s/%s, want admit/ok", line.Verdict, line.Reason)
		}
		if got, want := line.NameLatin, "MUSTERFRAU GOESSINGER GABRIELE"; !strings.Contains(got, "MUSTERFRAU") {
			t.Errorf("name_latin = %q, want something like %q", got, want)
		}
		if got, want := fields["dob"], "1998-02-26"; got != want {
			t.Errorf("dob = %v, want %v", got, want)
		}
		if got, want := fields["cert_type"], "vaccination"; got != want {
			t.Errorf("cert_type = %v, want %v", got, want)
		}
	})
	t.Run("expired at a later clock", func(t *testing.T) {
		line, _, _, _ := run("--dcc-trust", trust, "--at", "2030-01-01T00:00:00Z", tc.Prefix)
		if line.Reason != "credential_expired" {
			t.Fatalf("reason = %s, want credential_expired", line.Reason)
		}
	})
	t.Run("unsupported without a signer list", func(t *testing.T) {
		line, _, _, _ := run("--at", tc.TestCtx.Clock, tc.Prefix)
		if line.Reason != "unsupported_format" {
			t.Fatalf("reason = %s, want unsupported_format", line.Reason)
		}
	})
	t.Run("unreadable signer list", func(t *testing.T) {
		_, _, code, stderr := run("--dcc-trust", filepath.Join(t.TempDir(), "missing.json"), tc.Prefix)
		if code != exitFail || !strings.Contains(stderr, "dcc-trust") {
			t.Fatalf("exit %d, stderr %q; want 2 naming --dcc-trust", code, stderr)
		}
	})
	t.Run("clock without a colon in its zone", func(t *testing.T) {
		line, _, _, _ := run("--dcc-trust", trust, "--dcc-rules", "off", "--at", "2021-05-06T18:00:00+0000", tc.Prefix)
		if line.Reason != "ok" {
			t.Fatalf("reason = %s, want ok", line.Reason)
		}
	})
}
