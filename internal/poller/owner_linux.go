package poller

import "golang.org/x/sys/unix"

// callerID identifies the calling thread: gettid(2), one system call
// without the scheduler's involvement (~100 ns). It is called only on
// loop-affine entry points that are not per-request work (see OnLoop).
func callerID() int64 { return int64(unix.Gettid()) }
