package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph keeps DESIGN.md's layering true: ui talks to app (and
// pass, assets, Fyne), app to pass, api, the standard library and
// x/time/rate (no TOML, no file writing), and nothing outside cmd/
// imports cmd/. The rule is about the code that ships: tests that need a
// real authority service (app/remote's fault tests, cmd_run_passd_test.go,
// camera/scanner_test.go) import cmd/passd/server as test-only imports,
// which go list's Imports leaves out, and start it on loopback themselves.
func TestImportGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		imports[p.ImportPath] = p.Imports
	}
	if len(imports) < 10 {
		t.Fatalf("go list found %d packages", len(imports))
	}
	std := func(imp string) bool {
		return !strings.Contains(strings.Split(imp, "/")[0], ".") && !strings.HasPrefix(imp, "passdesk")
	}
	rules := []struct {
		pkg   string
		allow func(string) bool
	}{
		{"passdesk/ui", func(imp string) bool {
			return std(imp) || imp == "passdesk/app" || imp == "passdesk/pass" || imp == "passdesk/assets" ||
				strings.HasPrefix(imp, "fyne.io/fyne/v2")
		}},
		{"passdesk/app", func(imp string) bool {
			return (std(imp) && imp != "os" && imp != "io/ioutil") || imp == "passdesk/pass" || imp == "passdesk/api" ||
				imp == "golang.org/x/time/rate"
		}},
	}
	for _, r := range rules {
		if _, ok := imports[r.pkg]; !ok {
			t.Errorf("%s: not found", r.pkg)
		}
		for _, imp := range imports[r.pkg] {
			if !r.allow(imp) {
				t.Errorf("%s imports %s", r.pkg, imp)
			}
		}
	}
	for pkg, imps := range imports {
		if strings.HasPrefix(pkg, "passdesk/cmd/") {
			continue
		}
		for _, imp := range imps {
			if strings.HasPrefix(imp, "passdesk/cmd/") {
				t.Errorf("%s imports %s: nothing outside cmd/ imports cmd/", pkg, imp)
			}
		}
	}
}
