package storage

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"passdesk/app"
)

var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// cpuTime is the process's user and system CPU time so far. Benchmarks
// report it per operation besides wall time, since the machine they run on
// may be shared and loaded.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// benchDay is the local day the benchmark fixtures fill.
var (
	benchZone = time.FixedZone("KST", 9*3600)
	benchDay  = time.Date(2026, 11, 25, 0, 0, 0, 0, benchZone)
)

// fixture is a ledger filled once per test binary and shared by the
// benchmarks that only read it.
type fixture struct {
	once sync.Once
	l    *Ledger
	err  error
}

var (
	fixture50k  fixture
	fixture2000 fixture
)

// fill records n entries spread over benchDay's opening hours in one
// transaction (through the same insert path as Record), one in twenty a
// manual entry with a phone number, and an outage.
func (f *fixture) get(b *testing.B, n int) *Ledger {
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "passdesk-bench-")
		if err != nil {
			f.err = err
			return
		}
		benchDirs = append(benchDirs, dir)
		f.l, f.err = Open(dir, Options{Location: benchZone, VenueID: "venue", KioskID: "kiosk", PINMemoryKiB: 256})
		if f.err != nil {
			return
		}
		ctx := context.Background()
		open := benchDay.Add(8 * time.Hour)
		step := 14 * time.Hour / time.Duration(n)
		f.err = f.l.write(ctx, func(tx *sql.Tx) error {
			for i := 0; i < n; i++ {
				e := benchEntry(i, open.Add(time.Duration(i)*step))
				_, row, err := f.l.prepare(e)
				if err != nil {
					return err
				}
				if err := f.l.insert(ctx, tx, &row); err != nil {
					return err
				}
			}
			return nil
		})
		if f.err != nil {
			return
		}
		id, err := f.l.OpenOutage(ctx, benchDay.Add(12*time.Hour), "HTTP 503")
		if err == nil {
			err = f.l.CloseOutage(ctx, id, benchDay.Add(12*time.Hour+40*time.Minute))
		}
		f.err = err
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.l
}

func benchEntry(i int, at time.Time) app.Entry {
	e := app.Entry{
		ID: fmt.Sprintf("bench-%07d", i), Time: at, Outcome: app.Admit, Method: app.Online,
		Reason: "ok", Scheme: "PD1", Issuer: "KR-KDCA", Status: 1, Name: "홍*동",
		CID: []byte("0123456789abcdef"), Sub: []byte(fmt.Sprintf("sub-%012d", i)),
	}
	switch {
	case i%20 == 0:
		e.Method, e.Reason, e.Scheme, e.Issuer, e.Status, e.Name, e.CID, e.Sub = app.Manual, "", "", "", 0, "", nil, nil
		e.VisitorName, e.Phone, e.ManualReason, e.Staff = "김민수", "010-1234-5678", app.ReasonOutage, "이지은"
	case i%7 == 0:
		e.Outcome, e.Reason = app.Deny, "qr_expired"
	case i%11 == 0:
		e.Method = app.Offline
	case i%13 == 0:
		e.Outcome, e.Reason = app.Duplicate, "duplicate"
	}
	return e
}

// BenchmarkRecord measures the durable commit (WAL, synchronous=FULL) of one
// scan entry, the time a visitor waits for "admitted" beyond verification.
func BenchmarkRecord(b *testing.B) {
	l, err := Open(b.TempDir(), Options{VenueID: "venue", KioskID: "kiosk", PINMemoryKiB: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := benchEntry(i+1, now)
		start := time.Now()
		if _, err := l.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkSummary50k summarises a day holding 50,000 entries.
func BenchmarkSummary50k(b *testing.B) {
	l := fixture50k.get(b, 50000)
	ctx := context.Background()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		s, err := l.Summary(ctx, benchDay)
		if err != nil || s.Total != 50000 {
			b.Fatalf("summary total %d, %v", s.Total, err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkExportCSV50k exports a day of 50,000 entries as CSV.
func BenchmarkExportCSV50k(b *testing.B) {
	l := fixture50k.get(b, 50000)
	ctx := context.Background()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := l.Export(ctx, benchDay, "csv", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkVerify50k proves the chain of a 50,000-entry ledger.
func BenchmarkVerify50k(b *testing.B) {
	l := fixture50k.get(b, 50000)
	ctx := context.Background()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := l.Verify(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkExportPDF2000 writes the PDF report of a 2,000-visitor day (100
// of them manual entries listed in full).
func BenchmarkExportPDF2000(b *testing.B) {
	l := fixture2000.get(b, 2000)
	ctx := context.Background()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := l.Export(ctx, benchDay, "pdf", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkSignIn is one PIN attempt at the default argon2id cost (64 MiB,
// one pass, two threads), including its audit row.
func BenchmarkSignIn(b *testing.B) {
	l, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if _, err := l.AddPerson(ctx, "manager", app.Manager, "13579"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := l.SignIn(ctx, "13579"); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkPINHash is the argon2id run alone at the default cost.
func BenchmarkPINHash(b *testing.B) {
	l := &Ledger{pin: pinParams{salt: make([]byte, 16), time: pinTime, memory: defaultPINMemoryKiB, threads: pinThreads}}
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		l.hashPIN("13579")
	}
	reportCPU(b, cpu)
}
