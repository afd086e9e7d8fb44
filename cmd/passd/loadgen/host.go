package loadgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The machine under the load test. On a virtual machine the host takes
// time from each virtual CPU (steal time), in bursts: a run the host
// disturbed says little about the service, so every run reports how much
// the host took. And a virtual CPU with nothing to do halts; waking it
// costs the waker a trip through the host. On loopback the service then
// pays, for every answer, the wake-up of the generator's idle CPU, which
// a real network would not charge it; PollIdle keeps idle CPUs awake.

// cpuTimes is one CPU's line of /proc/stat: all its time and the host's
// part of it, in clock ticks.
type cpuTimes struct {
	total, steal int64
}

// readCPUTimes reads each CPU's times from /proc/stat, or nil where the
// machine has no /proc.
func readCPUTimes() []cpuTimes {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	return parseCPUTimes(b)
}

// parseCPUTimes reads the "cpuN" lines of /proc/stat, in order of N; the
// eighth number of a line is steal time (Linux 2.6.11 and later).
func parseCPUTimes(b []byte) []cpuTimes {
	var out []cpuTimes
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 2 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(f[0][3:])
		if err != nil || n != len(out) {
			return nil // not the layout this reads
		}
		var t cpuTimes
		for i, s := range f[1:] {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return nil
			}
			if i >= 8 {
				break // guest time is counted in user time already
			}
			t.total += v
			if i == 7 {
				t.steal = v
			}
		}
		out = append(out, t)
	}
	return out
}

// stealShares is each CPU's share of time the host took between two
// readings, or nil when the readings do not match.
func stealShares(before, after []cpuTimes) []float64 {
	if len(before) == 0 || len(before) != len(after) {
		return nil
	}
	out := make([]float64, len(before))
	for i := range before {
		if d := after[i].total - before[i].total; d > 0 {
			out[i] = float64(after[i].steal-before[i].steal) / float64(d)
		}
	}
	return out
}

// HostTook says what the host took of each CPU during the run, as
// "cpu0 1.2%, cpu1 0.4%".
func (r Result) HostTook() string {
	if len(r.Steal) == 0 {
		return "not known"
	}
	parts := make([]string, len(r.Steal))
	for i, v := range r.Steal {
		parts[i] = fmt.Sprintf("cpu%d %.1f%%", i, 100*v)
	}
	return strings.Join(parts, ", ")
}

// MostStolen is the largest share of a CPU's time the host took during
// the run.
func (r Result) MostStolen() float64 {
	if len(r.Steal) == 0 {
		return 0
	}
	return slices.Max(r.Steal)
}

// PollIdle asks the kernel to keep every idle CPU polling rather than
// halted while the load test runs (a PM QoS request of 0 µs through
// /dev/cpu_dma_latency, as latency benchmarks do; it needs root), and
// returns the function that ends the request. The kernel ends it too when
// the process exits, however it exits.
func PollIdle() (release func(), err error) {
	f, err := os.OpenFile("/dev/cpu_dma_latency", os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot keep idle CPUs polling: %w", err)
	}
	var v [4]byte
	binary.NativeEndian.PutUint32(v[:], 0)
	if _, err := f.Write(v[:]); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot keep idle CPUs polling: %w", err)
	}
	return func() { f.Close() }, nil
}
