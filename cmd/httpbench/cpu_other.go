//go:build !linux

package main

import (
	"errors"
	"time"
)

// threadCPU is not measured here: the per-loop figures are Linux's.
func threadCPU() time.Duration { return -1 }

// serverCPU needs Linux's /proc.
func serverCPU(pid int) time.Duration { return -1 }

func checkServerPID(pid int) error {
	return errors.New("-server-pid reads /proc/PID/stat: Linux only")
}
