//go:build !linux

package main

import "time"

// rawWaiter is Linux's (rawwait_linux.go); elsewhere the loop blocks as
// usual.
type rawWaiter struct{}

func newRawWaiter() (*rawWaiter, error)   { return nil, nil }
func (r *rawWaiter) add(fd int) error     { return nil }
func (r *rawWaiter) wait(d time.Duration) {}
func (r *rawWaiter) close()               {}
func rawWaitUsable(loops int) bool        { return false }
