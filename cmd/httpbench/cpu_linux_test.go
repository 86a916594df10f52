package main

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestServerCPUFromProc reads this process's CPU time from /proc, as
// -server-pid reads the server's, and checks it against getrusage after
// burning a little CPU (10 ms ticks: a loose comparison).
func TestServerCPUFromProc(t *testing.T) {
	start := processCPU()
	for processCPU()-start < 50*time.Millisecond {
	}
	got, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if want := processCPU(); got < want-100*time.Millisecond || got > want+100*time.Millisecond {
		t.Errorf("/proc/self/stat says %v, getrusage %v", got, want)
	}
	if err := checkServerPID(1 << 30); err == nil {
		t.Error("a process that does not exist can be measured")
	}
}

// TestThreadCPU: a loop's thread time is its own, not the process's.
func TestThreadCPU(t *testing.T) {
	runtime.LockOSThread() // as Loop.Run does
	defer runtime.UnlockOSThread()
	a := threadCPU()
	for threadCPU()-a < 20*time.Millisecond {
	}
	if b := threadCPU(); b < a+20*time.Millisecond || b > processCPU() {
		t.Errorf("thread CPU %v then %v; process %v", a, b, processCPU())
	}
}

// TestBottleneckWarning: a loop busy 95 % of the run, or requests leaving
// late with connections free, make the generator the suspect; a quiet
// loop does not.
func TestBottleneckWarning(t *testing.T) {
	cfg := &config{}
	busy := &result{elapsed: 2, loopCPUOK: true, loopCPU: []time.Duration{time.Second, 1900 * time.Millisecond}}
	busy.requests = 1000
	c := newCPUOut(cfg, busy, report{})
	if !c.Bottleneck || !strings.Contains(c.Warning, "loop 1 was busy 95%") || c.LoopsBusy[0] != 0.5 {
		t.Errorf("busy loop: %+v", c)
	}
	quiet := &result{elapsed: 2, loopCPUOK: true, loopCPU: []time.Duration{time.Second}}
	if c := newCPUOut(cfg, quiet, report{}); c.Bottleneck || c.Warning != "" {
		t.Errorf("quiet loop: %+v", c)
	}
	late := newCPUOut(cfg, quiet, report{Rate: &rateOut{Sent: 1000, Late: 50}})
	if !late.Bottleneck || !strings.Contains(late.Warning, "5.0% of the requests") {
		t.Errorf("late sends: %+v", late)
	}
}
