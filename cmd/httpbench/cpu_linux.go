package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time of the calling thread. A loop runs on
// one thread (Loop.Run locks it), so read from the loop it is that loop's
// own work, to the nanosecond.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return time.Duration(ts.Nano())
}

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100
// on every Linux architecture Go supports.
const userHZ = 100

// serverCPU returns the user plus system time of process pid from
// /proc/<pid>/stat (all its threads, those that have exited included), or
// -1 if it cannot be read.
func serverCPU(pid int) time.Duration {
	d, err := procCPU(pid)
	if err != nil {
		return -1
	}
	return d
}

// procCPU reads utime and stime, fields 14 and 15 of /proc/<pid>/stat.
// The command name (field 2) may hold spaces and parentheses, so the
// fields are counted from the last ')'.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// checkServerPID tells early whether -server-pid can be measured.
func checkServerPID(pid int) error {
	_, err := procCPU(pid)
	return err
}
