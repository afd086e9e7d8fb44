package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passdesk/app"
	"passdesk/storage"
)

// fillLedger records a day of entries in a new ledger under dir.
func fillLedger(t *testing.T, dir string, day time.Time) {
	t.Helper()
	l, err := storage.Open(dir, storage.Options{VenueID: "v1", KioskID: "k1", PINMemoryKiB: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		e := app.Entry{ID: fmt.Sprintf("e%d", i), Time: day.Add(time.Duration(9+i) * time.Hour),
			Outcome: app.Admit, Method: app.Online, Reason: "ok", Scheme: "PD1", Issuer: "KR-KDCA", Status: 1, Name: "홍*동"}
		if i == 5 {
			e.Method, e.Reason, e.Name = app.Manual, "", ""
			e.VisitorName, e.Phone, e.ManualReason, e.Staff = "김민수", "010-1234-5678", app.ReasonNoPhone, "이지은"
		}
		if _, err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	id, _ := l.OpenOutage(ctx, day.Add(10*time.Hour), "timeout")
	l.CloseOutage(ctx, id, day.Add(11*time.Hour))
}

func runLedgerCmd(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runLedger(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLedgerCommand(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local)
	fillLedger(t, dir, day)

	t.Run("add-person", func(t *testing.T) {
		code, out, errs := runLedgerCmd("2468\n", "add-person", "--data", dir, "--name", "김관리", "--role", "manager", "--pin-stdin")
		if code != exitOK || !strings.Contains(out, `"role":"manager"`) {
			t.Fatalf("exit %d, out %q, err %q", code, out, errs)
		}
		if code, _, errs := runLedgerCmd("2468\n", "add-person", "--data", dir, "--name", "박", "--role", "staff", "--pin-stdin"); code != exitUsage || !strings.Contains(errs, "in use") {
			t.Errorf("same PIN again: exit %d, %q", code, errs)
		}
		if code, _, _ := runLedgerCmd("", "add-person", "--data", dir, "--name", "박", "--role", "boss", "--pin-stdin"); code != exitUsage {
			t.Errorf("bad role: exit %d", code)
		}
	})

	t.Run("summary", func(t *testing.T) {
		code, out, errs := runLedgerCmd("", "summary", "--data", dir, "--day", "2026-11-25")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var s summaryJSON
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if s.Day != "2026-11-25" || s.Total != 6 || s.Manual != 1 || s.ByOutcome["admit"] != 6 || s.Hourly[9] != 1 || len(s.Outages) != 1 {
			t.Errorf("summary %+v", s)
		}
	})

	t.Run("export", func(t *testing.T) {
		csvFile := filepath.Join(t.TempDir(), "day.csv")
		if code, _, errs := runLedgerCmd("", "export", "--data", dir, "--day", "2026-11-25", "--format", "csv", "--out", csvFile); code != exitOK {
			t.Fatalf("csv: exit %d: %s", code, errs)
		}
		b, _ := os.ReadFile(csvFile)
		if !bytes.HasPrefix(b, []byte("\uFEFFseq,")) || !strings.Contains(string(b), "김민수") || strings.Contains(string(b), "1234-5678") {
			t.Errorf("csv: %q", b)
		}
		pdfFile := filepath.Join(t.TempDir(), "day.pdf")
		if code, _, errs := runLedgerCmd("", "export", "--data", dir, "--day", "2026-11-25", "--format", "pdf", "--out", pdfFile); code != exitOK {
			t.Fatalf("pdf: exit %d: %s", code, errs)
		}
		if b, _ := os.ReadFile(pdfFile); !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("pdf starts %q", b[:min(len(b), 8)])
		}
		if code, _, _ := runLedgerCmd("", "export", "--data", dir, "--format", "doc", "--out", "x"); code != exitUsage {
			t.Errorf("bad format: exit %d", code)
		}
	})

	t.Run("verify", func(t *testing.T) {
		code, out, errs := runLedgerCmd("", "verify", "--data", dir)
		if code != exitOK || !strings.Contains(out, "intact") {
			t.Fatalf("exit %d, %q %q", code, out, errs)
		}
	})

	t.Run("verify broken", func(t *testing.T) {
		shell, err := exec.LookPath("sqlite3")
		if err != nil {
			t.Skip("the sqlite3 shell is not installed (make test installs it)")
		}
		cp := t.TempDir()
		for _, n := range []string{storage.DBFile, storage.PhoneKey, storage.VenueKey} {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(cp, n), b, 0o600)
		}
		sql := `DROP TRIGGER entries_no_update; UPDATE entries SET outcome = 'deny' WHERE seq = 3;`
		if out, err := exec.Command(shell, filepath.Join(cp, storage.DBFile), sql).CombinedOutput(); err != nil {
			t.Fatalf("sqlite3: %v %s", err, out)
		}
		code, out, _ := runLedgerCmd("", "verify", "--data", cp)
		if code != exitFail || !strings.Contains(out, "entries at row 3") {
			t.Errorf("exit %d, %q", code, out)
		}
	})

	t.Run("purge", func(t *testing.T) {
		code, out, errs := runLedgerCmd("", "purge", "--data", dir, "--before", "2026-11-25T12:30:00"+time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local).Format("Z07:00"))
		if code != exitOK || strings.TrimSpace(out) != `{"purged": 4}` {
			t.Fatalf("exit %d, %q %q", code, out, errs)
		}
		if code, _, _ := runLedgerCmd("", "verify", "--data", dir); code != exitOK {
			t.Errorf("verify after purge: exit %d", code)
		}
		if code, _, _ := runLedgerCmd("", "purge", "--data", dir, "--retention", "soon"); code != exitUsage {
			t.Errorf("bad retention: exit %d", code)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{}, {"frobnicate"}, {"summary", "--day", "25/11/2026", "--data", dir}, {"verify", "extra", "--data", dir}} {
			if code, _, _ := runLedgerCmd("", args...); code != exitUsage {
				t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
			}
		}
		for _, cmd := range []string{"verify", "summary", "purge"} {
			empty := t.TempDir()
			if code, _, _ := runLedgerCmd("", cmd, "--data", empty); code != exitFail {
				t.Errorf("%s of an empty directory: exit %d, want %d", cmd, code, exitFail)
			}
			if _, err := os.Stat(filepath.Join(empty, storage.DBFile)); err == nil {
				t.Errorf("%s made a ledger in an empty directory", cmd)
			}
		}
		empty := t.TempDir()
		if code, _, _ := runLedgerCmd("", "export", "--data", empty, "--format", "csv", "--out", filepath.Join(empty, "x.csv")); code != exitFail {
			t.Errorf("export of an empty directory: exit %d", code)
		}
	})
}

func TestLedgerSummarySaysAnOutageEndedWithTheKiosk(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local)
	fillLedger(t, dir, day)
	l, err := storage.Open(dir, storage.Options{VenueID: "v1", KioskID: "k1", PINMemoryKiB: 256})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := l.OpenOutage(ctx, day.Add(13*time.Hour), "connection refused"); err != nil {
		t.Fatal(err)
	}
	if n, err := l.EndStoppedOutages(ctx, time.Time{}); n != 1 || err != nil {
		t.Fatalf("EndStoppedOutages = %d, %v", n, err)
	}
	l.Close()
	code, out, errs := runLedgerCmd("", "summary", "--data", dir, "--day", "2026-11-25")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s struct {
		Outages []map[string]any `json:"outages"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || len(s.Outages) != 2 {
		t.Fatalf("summary %s: %v", out, err)
	}
	if _, ok := s.Outages[0]["kiosk_stopped"]; ok {
		t.Errorf("an outage the service ended says kiosk_stopped: %v", s.Outages[0])
	}
	if s.Outages[1]["kiosk_stopped"] != true || s.Outages[1]["end"] == nil {
		t.Errorf("the outage left open: %v, want an end and kiosk_stopped", s.Outages[1])
	}
}
