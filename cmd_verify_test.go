package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passdesk/pass"
	"passdesk/pass/passtest"
)

const pd1Dir = "testdata/pd1"

func pd1File(name string) string { return filepath.Join(pd1Dir, name) }

func rootKey(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(pd1File(passtest.RootKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func loadVectors(t *testing.T) []passtest.Case {
	t.Helper()
	raw, err := os.ReadFile(pd1File(passtest.VectorsFile))
	if err != nil {
		t.Fatal(err)
	}
	var cases []passtest.Case
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// runVerifyCmd runs `passdesk verify` in process.
func runVerifyCmd(args []string, stdin string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = dispatch(append([]string{"verify"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func listArgs(t *testing.T, trust string) []string {
	return []string{"--trustlist", pd1File(trust), "--revocations", pd1File("revocations.cose"), "--root", rootKey(t)}
}

func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestVerifyCommandVectors(t *testing.T) {
	for _, c := range loadVectors(t) {
		t.Run(c.Name, func(t *testing.T) {
			args := append(listArgs(t, "trustlist.cose"), "--at", strconv.FormatInt(c.At, 10), "--", c.QR)
			code, out, stderr := runVerifyCmd(args, "")
			if code != exitOK {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			lines := decodeLines(t, out)
			if len(lines) != 1 {
				t.Fatalf("%d lines, want 1", len(lines))
			}
			wantVerdict := "deny"
			if c.Expect == pass.OK {
				wantVerdict = "admit"
			}
			if got := lines[0]["verdict"]; got != wantVerdict {
				t.Errorf("verdict %v, want %s", got, wantVerdict)
			}
			if got := lines[0]["reason"]; got != string(c.Expect) {
				t.Errorf("reason %v, want %s", got, c.Expect)
			}
		})
	}
}

func TestVerifyCommandStdin(t *testing.T) {
	g := passtest.Good()
	good := g.QR()
	stale := g.WithIAT(uint64(passtest.Now - 60)).QR()
	// One line per text, \n or \r\n; an empty line and a last line without
	// an ending are texts too.
	in := good + "\r\n" + stale + "\n" + "HC1:NCFOXN\n" + "\n" + good
	args := append(listArgs(t, "trustlist.cose"), "--at", time.Unix(passtest.Now, 0).UTC().Format(time.RFC3339), "-")
	code, out, stderr := runVerifyCmd(args, in)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	want := []string{"ok", "qr_expired", "unsupported_format", "unsupported_format", "ok"}
	lines := decodeLines(t, out)
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if got := lines[i]["reason"]; got != w {
			t.Errorf("line %d: reason %v, want %s", i+1, got, w)
		}
	}
}

// TestVerifyCommandLongLines checks that lines of any length each get
// their verdict, including ones longer than the part of a line kept.
func TestVerifyCommandLongLines(t *testing.T) {
	good := passtest.Good().QR()
	in := "PD1:" + strings.Repeat("A", 1<<20) + "\n" + "PD1:" + strings.Repeat("B", 3<<20) + "\n" + good + "\n"
	args := append(listArgs(t, "trustlist.cose"), "--at", strconv.FormatInt(passtest.Now, 10))
	code, out, stderr := runVerifyCmd(args, in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := decodeLines(t, out)
	want := []string{"malformed", "malformed", "ok"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for i, w := range want {
		if got := lines[i]["reason"]; got != w {
			t.Errorf("line %d: reason %v, want %s", i+1, got, w)
		}
	}
}

func TestVerifyCommandOutputShape(t *testing.T) {
	args := append(listArgs(t, "trustlist.cose"), "--at", strconv.FormatInt(passtest.Now, 10), passtest.Good().QR())
	code, out, _ := runVerifyCmd(args, "")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want := fmt.Sprintf(`{"verdict":"admit","reason":"ok","name":"홍*동","status":1,"iss":"KR-KDCA","cid":"%x","iat":%d}`+"\n", passtest.CID, passtest.Now)
	if out != want {
		t.Errorf("output\n%s want\n%s", out, want)
	}
	code, out, _ = runVerifyCmd(args[:len(args)-1], "garbage\n")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if want := `{"verdict":"deny","reason":"unsupported_format","name":"","status":0,"iss":"","cid":"","iat":0}` + "\n"; out != want {
		t.Errorf("output\n%s want\n%s", out, want)
	}
}

func TestVerifyCommandRules(t *testing.T) {
	old := passtest.Good().WithIAT(uint64(passtest.Now - 25)).QR()
	ahead := passtest.Good().WithIAT(uint64(passtest.Now + 3)).QR()
	for _, c := range []struct {
		flags []string
		qr    string
		want  string
	}{
		{nil, old, "qr_expired"},
		{[]string{"--window", "20"}, old, "ok"},
		{[]string{"--window", "20s"}, old, "ok"},
		{[]string{"--window", "19s", "--skew", "5s"}, old, "qr_expired"},
		{[]string{"--skew", "10"}, old, "ok"},
		{[]string{"--skew", "0"}, ahead, "qr_from_future"},
		{[]string{"--skew", "3"}, ahead, "ok"},
		{[]string{"--skew", "2.9"}, ahead, "qr_from_future"},
		{[]string{"--window", "20.5"}, old, "ok"},
		{[]string{"--at", strconv.FormatInt(passtest.Now-5, 10) + ".75"}, old, "ok"},
	} {
		args := append(listArgs(t, "trustlist.cose"), "--at", strconv.FormatInt(passtest.Now, 10))
		args = append(append(args, c.flags...), c.qr)
		code, out, stderr := runVerifyCmd(args, "")
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", c.flags, code, stderr)
		}
		if got := decodeLines(t, out)[0]["reason"]; got != c.want {
			t.Errorf("%v: reason %v, want %s", c.flags, got, c.want)
		}
	}
}

func TestVerifyCommandWithoutTrustList(t *testing.T) {
	code, out, _ := runVerifyCmd([]string{"--at", strconv.FormatInt(passtest.Now, 10), passtest.Good().QR()}, "")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got := decodeLines(t, out)[0]["reason"]; got != "trust_list_stale" {
		t.Errorf("reason %v, want trust_list_stale", got)
	}
}

func TestVerifyCommandRefusesLists(t *testing.T) {
	qr := passtest.Good().QR()
	root := rootKey(t)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"forged trust list", []string{"--trustlist", pd1File("trustlist-forged.cose"), "--root", root}},
		{"trust list signed by another root", []string{"--trustlist", pd1File("trustlist-other-root.cose"), "--root", root}},
		{"trust list naming the root, signed by another", []string{"--trustlist", pd1File("trustlist-impostor.cose"), "--root", root}},
		{"trust list without kid", []string{"--trustlist", pd1File("trustlist-no-kid.cose"), "--root", root}},
		{"trust list missing", []string{"--trustlist", pd1File("nope.cose"), "--root", root}},
		{"trust list not cose", []string{"--trustlist", pd1File(passtest.VectorsFile), "--root", root}},
		{"trust list without root", []string{"--trustlist", pd1File("trustlist.cose")}},
		{"forged revocation list", append(listArgs(t, "trustlist.cose")[:2], "--revocations", pd1File("revocations-forged.cose"), "--root", root)},
		{"revocation list of another root", append(listArgs(t, "trustlist.cose")[:2], "--revocations", pd1File("revocations-other-root.cose"), "--root", root)},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runVerifyCmd(append(c.args, qr), "")
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			if out != "" {
				t.Errorf("printed verdicts: %s", out)
			}
			if !strings.Contains(stderr, "passdesk verify:") {
				t.Errorf("stderr %q has no clear message", stderr)
			}
		})
	}
}

func TestVerifyCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"--at", "yesterday"},
		{"--window", "-3"},
		{"--skew", "soon"},
		{"--root", "not-a-key"},
		{"--root", "AAAA"},
	} {
		if code, _, _ := runVerifyCmd(args, ""); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestVerifyCommandSchemeHook checks that a scheme added to verifySchemes
// receives the texts of its prefix.
func TestVerifyCommandSchemeHook(t *testing.T) {
	var out, errb bytes.Buffer
	code := runVerify([]string{"XX1:anything", "HC1:other"}, []pass.Scheme{fakeScheme{}}, nil, strings.NewReader(""), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := decodeLines(t, out.String())
	if got := lines[0]["reason"]; got != "policy_denied" {
		t.Errorf("XX1 reason %v, want the scheme's policy_denied", got)
	}
	if got := lines[1]["reason"]; got != "unsupported_format" {
		t.Errorf("HC1 reason %v, want unsupported_format", got)
	}
}

func TestVerifyCommandSchemeFlags(t *testing.T) {
	xx := func(fs *flag.FlagSet, _ io.Writer) func() (pass.Scheme, error) {
		file := fs.String("xx-trust", "", "trust file for XX1")
		return func() (pass.Scheme, error) {
			switch *file {
			case "":
				return nil, nil
			case "bad":
				return nil, errors.New("xx trust file unreadable")
			}
			return fakeScheme{}, nil
		}
	}
	run := verifyCommand(xx)
	for _, c := range []struct {
		args   []string
		code   int
		reason string
	}{
		{[]string{"XX1:a"}, exitOK, "unsupported_format"},
		{[]string{"--xx-trust", "good", "XX1:a"}, exitOK, "policy_denied"},
		{[]string{"--xx-trust", "bad", "XX1:a"}, exitFail, ""},
	} {
		var stdout, errb bytes.Buffer
		code := run(c.args, strings.NewReader(""), &stdout, &errb)
		out := stdout.String()
		if code != c.code {
			t.Errorf("%v: exit %d, want %d", c.args, code, c.code)
			continue
		}
		if c.reason != "" {
			if got := decodeLines(t, out)[0]["reason"]; got != c.reason {
				t.Errorf("%v: reason %v, want %s", c.args, got, c.reason)
			}
		}
	}
}

type fakeScheme struct{}

func (fakeScheme) Prefix() string { return "XX1:" }

func (fakeScheme) Verify(string, pass.Policy, time.Time) pass.Verdict {
	return pass.Verdict{Reason: pass.PolicyDenied, Scheme: "XX1"}
}

// TestVerifyCommandTextLists checks that a list written out as hex text
// opens like the raw bytes, with the root key read from its file.
func TestVerifyCommandTextLists(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(pd1File("trustlist.cose"))
	if err != nil {
		t.Fatal(err)
	}
	hexFile := filepath.Join(dir, "trustlist.hexFile")
	if err := os.WriteFile(hexFile, []byte(fmt.Sprintf("%x\n", raw)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runVerifyCmd([]string{"--trustlist", hexFile, "--root", pd1File(passtest.RootKeyFile), "--at", strconv.FormatInt(passtest.Now, 10), passtest.Good().QR()}, "")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := decodeLines(t, out)[0]["reason"]; got != "ok" {
		t.Errorf("reason %v, want ok", got)
	}
}
