package proc

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	line := "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 1000 200 18446744073709551615\n"
	got, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if got != 325 {
		t.Errorf("parseStat = %d, want 325", got)
	}
	if _, err := parseStat([]byte("1234 (x) S 1 2")); err == nil {
		t.Error("parseStat of a short line: want an error")
	}
}

func TestParseStatusKB(t *testing.T) {
	status := "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    4321 kB\nVmRSS:\t 4000 kB\n"
	got, err := parseStatusKB([]byte(status), "VmHWM:")
	if err != nil || got != 4321 {
		t.Errorf("parseStatusKB = %d, %v; want 4321", got, err)
	}
	if _, err := parseStatusKB([]byte("Name: x\n"), "VmHWM:"); err == nil {
		t.Error("missing key: want an error")
	}
}

func TestSelf(t *testing.T) {
	pid := os.Getpid()
	if _, err := CPUTime(pid); err != nil {
		t.Fatal(err)
	}
	peak, err := PeakRSS(pid)
	if err != nil || peak <= 0 {
		t.Fatalf("PeakRSS = %d, %v", peak, err)
	}
	rss, err := RSS(pid)
	if err != nil || rss <= 0 {
		t.Fatalf("RSS = %d, %v (peak %d)", rss, err, peak)
	}
	if slab, err := Slab(); err != nil || slab <= 0 {
		t.Fatalf("Slab = %d, %v", slab, err)
	}
}

func TestShare(t *testing.T) {
	t0 := time.Unix(100, 0)
	a := Sample{At: t0, CPU: time.Second}
	b := Sample{At: t0.Add(2 * time.Second), CPU: 2 * time.Second}
	if got := Share(a, b); got != 0.5 {
		t.Errorf("Share = %v, want 0.5", got)
	}
	if got := Share(b, b); got != 0 {
		t.Errorf("Share over no time = %v, want 0", got)
	}
}

func TestParseSystemStat(t *testing.T) {
	stat := "cpu  100 2 30 5000 40 5 6 7 0 0\ncpu0 50 1 15 2500 20 2 3 3 0 0\n"
	got, err := parseSystemStat([]byte(stat))
	if err != nil || got != 150 {
		t.Errorf("parseSystemStat = %d, %v; want 150", got, err)
	}
	if _, err := parseSystemStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("want an error for a missing cpu line")
	}
	if _, err := SystemBusy(); err != nil {
		t.Error(err)
	}
}
