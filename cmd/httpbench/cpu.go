package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// This file measures CPU time: the generator's own, to tell when it and
// not the server set the pace (as the benchmark harness's "load gen CPU"
// column does), and the server's, given -server-pid, to price a request.

// busyThreshold is the share of a core above which a loop counts as
// saturated: a loop that never waits for the network is the bottleneck.
const busyThreshold = 0.9

// cpuSpan is the CPU time something used between two readings. Readings
// are negative when the platform cannot take them.
type cpuSpan struct {
	start, stop time.Duration
	taken       bool
}

func (s *cpuSpan) begin(d time.Duration) { s.start, s.taken = d, d >= 0 }

func (s *cpuSpan) end(d time.Duration) {
	s.stop = d
	s.taken = s.taken && d >= 0
}

// used returns the CPU time between the readings, if both were taken.
func (s *cpuSpan) used() (time.Duration, bool) {
	if !s.taken {
		return 0, false
	}
	return max(s.stop-s.start, 0), true
}

// processCPU returns the user and system time of the whole process: the
// loops, the runtime's own threads (garbage collector, timers) and the
// progress line.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
