package loadgen

import (
	"math"
	"testing"
)

func TestParseCPUTimes(t *testing.T) {
	before := parseCPUTimes([]byte("cpu  100 0 50 800 10 0 5 35 7 0\n" +
		"cpu0 60 0 30 380 5 0 5 20 7 0\n" +
		"cpu1 40 0 20 420 5 0 0 15 0 0\n" +
		"intr 12345\nctxt 999\n"))
	if len(before) != 2 || before[0] != (cpuTimes{total: 500, steal: 20}) || before[1] != (cpuTimes{total: 500, steal: 15}) {
		t.Fatalf("parsed %+v", before)
	}
	after := []cpuTimes{{total: 700, steal: 70}, {total: 600, steal: 15}}
	s := stealShares(before, after)
	if len(s) != 2 || math.Abs(s[0]-0.25) > 1e-9 || s[1] != 0 {
		t.Fatalf("shares %v", s)
	}
	if got := (Result{Steal: s}).HostTook(); got != "cpu0 25.0%, cpu1 0.0%" {
		t.Fatalf("formatted %q", got)
	}
	if stealShares(before, after[:1]) != nil {
		t.Fatal("readings of different machines compared")
	}
	for _, bad := range []string{"cpu0 1 2 x 4\n", "cpu1 1 2 3\n", "cpu0 -1 2 3\n"} {
		if got := parseCPUTimes([]byte(bad)); got != nil {
			t.Errorf("%q parsed as %+v", bad, got)
		}
	}
	if got := readCPUTimes(); got != nil && len(got) < 1 {
		t.Errorf("this machine's /proc/stat read as %+v", got)
	}
}
