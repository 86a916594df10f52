package main

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawWaiter lets an open-loop worker sleep without the Go scheduler's
// system-call hand-off. The poller blocks in epoll_wait through
// unix.EpollWait, whose entersyscall/exitsyscall wakes the runtime's
// sysmon and a spare thread around every wait: on this project's 2-core
// VM, four context switches and about 9 µs of CPU per wake-up, against
// one switch and 2.6 µs for the same wait made as a raw system call. A
// closed loop rarely sleeps; an open loop at 10,000 requests per second
// sleeps twice per request (until the tick, until the response), so this
// is most of what it costs.
//
// The waiter holds its own epoll set of the sockets' and the ticker's
// descriptors (read readiness only) and blocks on it with a raw
// epoll_pwait; then Loop.Poll(0) dispatches what woke it, through the
// loop's own set. It is used only while nothing else could need the loop:
// no connect in progress, no output waiting for write readiness (see
// worker.drive). A raw system call keeps the goroutine's P: the rest of
// the program runs on another (bench raises GOMAXPROCS to one more than
// the loops for an open loop), and a stop-the-world's preemption signal
// interrupts the wait (epoll_pwait returns EINTR after a signal), which
// is never longer than the worker's next timer anyway (100 ms at most).
type rawWaiter struct {
	epfd int
	evs  [32]unix.EpollEvent
}

func newRawWaiter() (*rawWaiter, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	return &rawWaiter{epfd: fd}, nil
}

// add watches fd for reading. A descriptor leaves the set by itself when
// it is closed; a number reused since is simply watched again.
func (r *rawWaiter) add(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}
	err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	if err == unix.EEXIST {
		err = unix.EpollCtl(r.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
	}
	return err
}

// wait blocks until a watched descriptor is ready or timeout has passed
// (rounded up to a millisecond; the ticker's timerfd, in the set, is
// what keeps time to the microsecond).
func (r *rawWaiter) wait(timeout time.Duration) {
	msec := int((timeout + time.Millisecond - 1) / time.Millisecond)
	unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(r.epfd), uintptr(unsafe.Pointer(&r.evs[0])),
		uintptr(len(r.evs)), uintptr(msec), 0, 0)
	// EINTR or an error: the caller polls the loop and decides again.
}

func (r *rawWaiter) close() { unix.Close(r.epfd) }

// rawWaitUsable reports whether a raw wait may hold a P: only if another
// P is left for the garbage collector, the progress line and the rest.
func rawWaitUsable(loops int) bool { return runtime.GOMAXPROCS(0) > loops }
