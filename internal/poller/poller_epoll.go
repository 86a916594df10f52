//go:build linux

package poller

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// maxEvents bounds how many ready descriptors one wait returns. More stay
// ready (level-triggered) and come back on the next wait, so a burst of
// connections cannot starve timers and callbacks.
const maxEvents = 256

// osBackend is epoll(7), level-triggered, with an eventfd(2) for wake-ups.
type osBackend struct {
	epfd   int
	wakefd int
	events [maxEvents]unix.EpollEvent
}

func newBackend() (*osBackend, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("poller: epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("poller: eventfd: %w", err)
	}
	// The wake-up descriptor carries -1 in its event data: no real
	// descriptor has that number, so the loop can tell it apart.
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(wakefd)
		unix.Close(epfd)
		return nil, fmt.Errorf("poller: epoll_ctl(eventfd): %w", err)
	}
	return &osBackend{epfd: epfd, wakefd: wakefd}, nil
}

func epollBits(ev Event) uint32 {
	var bits uint32
	if ev&EventRead != 0 {
		bits |= unix.EPOLLIN
	}
	if ev&EventWrite != 0 {
		bits |= unix.EPOLLOUT
	}
	return bits
}

func (b *osBackend) control(fd int, old, new Event) error {
	op := unix.EPOLL_CTL_MOD
	switch {
	case old == new:
		return nil
	case old == 0:
		op = unix.EPOLL_CTL_ADD
	case new == 0:
		// EPOLLERR and EPOLLHUP are reported even with no interest, and
		// level-triggered they would be reported on every wait: a
		// descriptor with nothing to watch must leave the set entirely.
		op = unix.EPOLL_CTL_DEL
	}
	ev := unix.EpollEvent{Events: epollBits(new), Fd: int32(fd)}
	if err := unix.EpollCtl(b.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("poller: epoll_ctl(%d): %w", fd, err)
	}
	return nil
}

func (b *osBackend) wait(msec int) (int, error) {
	n, err := epollWait(b.epfd, b.events[:], msec)
	switch err {
	case nil:
		return n, nil
	case unix.EINTR:
		return 0, nil
	}
	return 0, fmt.Errorf("poller: epoll_wait: %w", err)
}

func (b *osBackend) event(i int) (int, Event) {
	e := &b.events[i]
	if e.Fd < 0 {
		b.ackWake()
		return -1, 0
	}
	var ev Event
	// Errors and hang-ups wake both directions: the failing read or write
	// is what tells the handler what went wrong.
	if e.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= EventRead
	}
	if e.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= EventWrite
	}
	return int(e.Fd), ev
}

var wakeValue = [8]byte{1} // an eventfd adds the 8-byte integer written to it

func (b *osBackend) wake() error {
	for {
		_, err := unix.Write(b.wakefd, wakeValue[:])
		switch err {
		case nil, unix.EAGAIN: // EAGAIN: the counter is saturated, a wake-up is pending anyway
			return nil
		case unix.EINTR:
			continue
		}
		return fmt.Errorf("poller: eventfd write: %w", err)
	}
}

func (b *osBackend) ackWake() {
	var buf [8]byte
	for {
		if _, err := unix.Read(b.wakefd, buf[:]); err != unix.EINTR {
			return
		}
	}
}

func (b *osBackend) close() error {
	err1 := unix.Close(b.wakefd)
	err2 := unix.Close(b.epfd)
	if err1 != nil {
		return fmt.Errorf("poller: close eventfd: %w", err1)
	}
	if err2 != nil {
		return fmt.Errorf("poller: close epoll: %w", err2)
	}
	return nil
}
