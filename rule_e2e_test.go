package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/pass"
	"passdesk/pass/dcc"
	"passdesk/storage"
)

// TestRuleFailedEndToEnd scans a real EU DCC (dose 1 of 2, from the public
// conformance data) through the kiosk engine with the built-in rules and
// the SQLite ledger: the deny names its rule on the way to the screen, the
// ledger keeps it in the chain, and the CSV export shows it.
func TestRuleFailedEndToEnd(t *testing.T) {
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
	at, err := time.Parse(time.RFC3339, tc.TestCtx.Clock)
	if err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(t.TempDir(), "dsc.json")
	list, _ := json.Marshal([]map[string]string{{"certificate": tc.TestCtx.Certificate}})
	if err := os.WriteFile(trust, list, 0o600); err != nil {
		t.Fatal(err)
	}
	scheme, _, err := dcc.Load(dcc.Files{Trust: trust})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return at }
	data := t.TempDir()
	opts := storage.Options{Now: now, VenueID: "v1", KioskID: "k1", PINMemoryKiB: 256}
	ledger, err := storage.Open(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ledger.Close()
	cfg := app.DefaultConfig()
	cfg.VenueID, cfg.KioskID = "v1", "k1"
	e, err := app.New(cfg, app.Deps{Ledger: ledger, Records: ledger, People: ledger, Schemes: []pass.Scheme{scheme}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	ctx := context.Background()
	res := e.Scan(ctx, tc.Prefix)
	if !res.Recorded || res.Entry.Outcome != app.Deny || res.Verdict.Reason != pass.RulesFailed {
		t.Fatalf("result %+v %s, want a recorded rules_failed deny", res.Entry, res.Verdict.Reason)
	}
	if !strings.HasPrefix(res.Entry.Rule, "VR-EU-0102@") {
		t.Errorf("entry rule %q, want VR-EU-0102@version", res.Entry.Rule)
	}
	// The built-in rules carry Korean text of their own.
	if ko, en := res.Verdict.Rule.StaffText("ko"), res.Verdict.Rule.StaffText("en"); ko == "" || en == "" || ko == en {
		t.Errorf("staff text Korean %q, English %q: want both, distinct", ko, en)
	}
	entries, _, err := ledger.List(ctx, app.Filter{Day: at})
	if err != nil || len(entries) != 1 || entries[0].Rule != res.Entry.Rule {
		t.Fatalf("ledger entries %+v, %v; want one naming %s", entries, err, res.Entry.Rule)
	}
	var csv bytes.Buffer
	if err := ledger.Export(ctx, at, "csv", &csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), ","+res.Entry.Rule+"\r\n") {
		t.Errorf("CSV export does not name %s:\n%s", res.Entry.Rule, csv.String())
	}
	if err := ledger.Verify(ctx); err != nil {
		t.Errorf("ledger verify: %v", err)
	}
}
