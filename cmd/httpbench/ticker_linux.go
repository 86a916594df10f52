package main

import (
	"fmt"
	"time"
	"unsafe"

	"asynchttpserver.dev/internal/poller"
	"golang.org/x/sys/unix"
)

// timerfdTicker wakes the pacer with a timerfd registered on the loop.
// The loop's own timers wake it through epoll_wait's timeout, which is in
// milliseconds: at 50,000 requests per second that would send 50 requests
// at once and make each wait up to a millisecond, a delay the
// coordinated-omission-corrected latency would then (rightly) show. A
// timerfd fires to the nanosecond, and once armed with an interval it
// keeps firing on the schedule's own lattice without another system call.
type timerfdTicker struct {
	loop   *poller.Loop
	tfd    int
	fire   func()
	offset int64 // CLOCK_MONOTONIC minus the loop's clock
	period int64
	armed  bool
	buf    [8]byte
}

// minTickPeriod bounds how often the ticker wakes the loop: above 200,000
// requests per second per loop, a wake-up sends several requests.
const minTickPeriod = 5 * time.Microsecond

// tickSlack is added to every deadline handed to the kernel. The offset
// between the two clocks is measured to within a fraction of it, so the
// timer never fires before a request is due (which would cost a wake-up
// that sends nothing, and then a whole period of delay).
const tickSlack = time.Microsecond

func newTicker(l *poller.Loop, period int64, fire func()) (ticker, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("timerfd_create: %w", err)
	}
	t := &timerfdTicker{loop: l, tfd: fd, fire: fire, period: max(period, int64(minTickPeriod))}
	// Go's monotonic clock is CLOCK_MONOTONIC; the loop's counts from its
	// creation. Read both back to back and take the middle.
	var a, b unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &a)
	mid := l.Nanotime()
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &b)
	t.offset = (a.Nano()+b.Nano())/2 - mid
	if err := l.Register(fd, t, poller.EventRead); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return t, nil
}

// wakeAt implements ticker. While armed, the timer already fires on the
// schedule's lattice, so a call costs nothing.
func (t *timerfdTicker) wakeAt(when int64) {
	if t.armed {
		return
	}
	spec := unix.ItimerSpec{
		Value:    unix.NsecToTimespec(when + t.offset + int64(tickSlack)),
		Interval: unix.NsecToTimespec(t.period),
	}
	if err := unix.TimerfdSettime(t.tfd, unix.TFD_TIMER_ABSTIME, &spec, nil); err == nil {
		t.armed = true
	}
}

// stop implements ticker.
func (t *timerfdTicker) stop() {
	if !t.armed {
		return
	}
	unix.TimerfdSettime(t.tfd, 0, &unix.ItimerSpec{}, nil)
	t.armed = false
}

// close implements ticker; the loop must not be running.
func (t *timerfdTicker) close() { t.loop.CloseFD(t.tfd) }

// fd implements ticker.
func (t *timerfdTicker) fd() int { return t.tfd }

// HandleEvent implements poller.Handler: the read clears the expiry count
// (the loop is level-triggered); how many expiries passed does not
// matter, the pacer sends whatever is due by the loop's clock.
func (t *timerfdTicker) HandleEvent(ev poller.Event) {
	if ev&poller.EventRead == 0 {
		return
	}
	// A raw read: the descriptor is non-blocking, and the scheduler's
	// system-call hand-off would cost more than the read.
	_, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(t.tfd), uintptr(unsafe.Pointer(&t.buf[0])), uintptr(len(t.buf)))
	if e != 0 {
		return // EAGAIN: a stop raced with the expiry
	}
	t.fire()
}
