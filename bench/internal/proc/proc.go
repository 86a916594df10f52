// Package proc reads a running process's CPU time and resident memory, and
// which of its event loops watches which connection, from Linux's /proc file
// system.
package proc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ). The
// kernel fixes it at 100 on every architecture Go supports, so it is not
// read with sysconf.
const clockTick = 10 * time.Millisecond

// CPUTime returns the user plus system CPU time that process pid and all its
// threads have used so far, at a resolution of 10 ms.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time of pid %d: %w", pid, err)
	}
	ticks, err := parseStat(b)
	if err != nil {
		return 0, fmt.Errorf("cpu time of pid %d: %w", pid, err)
	}
	return time.Duration(ticks) * clockTick, nil
}

// parseStat returns utime+stime, in clock ticks, from the contents of
// /proc/<pid>/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (int64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line")
	}
	// After ")" come fields 3 (state) onwards; utime and stime are 14 and 15.
	fields := bytes.Fields(b[i+1:])
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("stat line has %d fields after the name, want > %d", len(fields), stime)
	}
	u, err := strconv.ParseInt(string(fields[utime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("utime: %w", err)
	}
	s, err := strconv.ParseInt(string(fields[stime]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stime: %w", err)
	}
	return u + s, nil
}

// PeakRSS returns the process's peak resident set size (VmHWM) in bytes.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS of pid %d: %w", pid, err)
	}
	n, err := parseStatusKB(b, "VmHWM:")
	if err != nil {
		return 0, fmt.Errorf("peak RSS of pid %d: %w", pid, err)
	}
	return n * 1024, nil
}

// RSS returns the process's resident set size now (VmRSS) in bytes.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("RSS of pid %d: %w", pid, err)
	}
	n, err := parseStatusKB(b, "VmRSS:")
	if err != nil {
		return 0, fmt.Errorf("RSS of pid %d: %w", pid, err)
	}
	return n * 1024, nil
}

// Slab returns the kernel's slab memory (the Slab line of /proc/meminfo)
// in bytes: machine-wide, it holds among much else every socket's kernel
// state, which no process's RSS counts.
func Slab() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("slab: %w", err)
	}
	n, err := parseStatusKB(b, "Slab:")
	if err != nil {
		return 0, fmt.Errorf("slab: %w", err)
	}
	return n * 1024, nil
}

// parseStatusKB returns the value, in kB, of a "Key:   123 kB" line of
// /proc/<pid>/status.
func parseStatusKB(b []byte, key string) (int64, error) {
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("malformed %s line %q", key, bytes.TrimSpace(line))
		}
		return strconv.ParseInt(string(f[0]), 10, 64)
	}
	return 0, fmt.Errorf("no %s line", key)
}

// Sample is a process's CPU time read at a moment of wall-clock time.
type Sample struct {
	At  time.Time
	CPU time.Duration
}

// Read samples the CPU time of process pid now.
func Read(pid int) (Sample, error) {
	cpu, err := CPUTime(pid)
	return Sample{At: time.Now(), CPU: cpu}, err
}

// Share returns the fraction of one core that the process used between two
// samples: 1.0 means one core fully busy.
func Share(before, after Sample) float64 {
	wall := after.At.Sub(before.At)
	if wall <= 0 {
		return 0
	}
	return float64(after.CPU-before.CPU) / float64(wall)
}

// SystemBusy returns the CPU time all CPUs of the machine have spent busy
// since boot: user, nice, system, irq, softirq and steal time from the "cpu"
// line of /proc/stat. Subtracting the benchmark's own processes from its
// change over a run shows how much else the machine was doing.
func SystemBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("system cpu time: %w", err)
	}
	ticks, err := parseSystemStat(b)
	if err != nil {
		return 0, fmt.Errorf("system cpu time: %w", err)
	}
	return time.Duration(ticks) * clockTick, nil
}

// parseSystemStat sums the busy fields of the aggregate "cpu" line of
// /proc/stat: user nice system idle iowait irq softirq steal ...
func parseSystemStat(b []byte) (int64, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("malformed cpu line %q", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		n, err := strconv.ParseInt(string(f[i]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu line field %d: %w", i, err)
		}
		busy += n
	}
	return busy, nil
}
