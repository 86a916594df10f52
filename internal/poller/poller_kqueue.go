//go:build darwin || freebsd || netbsd || openbsd

package poller

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// maxEvents bounds how many events one wait returns; the rest stay ready
// (level-triggered) for the next wait.
const maxEvents = 256

// osBackend is kqueue(2), level-triggered (no EV_CLEAR on descriptors),
// with EVFILT_USER or a pipe for wake-ups (wake_user.go, wake_pipe.go).
//
// kqueue keeps one filter per direction, so an interest change is a list
// of EV_ADD/EV_DELETE changes applied at once.
type osBackend struct {
	kq      int
	events  [maxEvents]unix.Kevent_t
	changes [2]unix.Kevent_t
	wakeState
}

func newBackend() (*osBackend, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, fmt.Errorf("poller: kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	b := &osBackend{kq: kq}
	if err := b.initWake(); err != nil {
		unix.Close(kq)
		return nil, err
	}
	return b, nil
}

func (b *osBackend) control(fd int, old, new Event) error {
	changes := b.changes[:0]
	changes = appendChange(changes, fd, unix.EVFILT_READ, old&EventRead != 0, new&EventRead != 0)
	changes = appendChange(changes, fd, unix.EVFILT_WRITE, old&EventWrite != 0, new&EventWrite != 0)
	if len(changes) == 0 {
		return nil
	}
	for {
		_, err := unix.Kevent(b.kq, changes, nil, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("poller: kevent(%d): %w", fd, err)
		}
		return nil
	}
}

func appendChange(changes []unix.Kevent_t, fd, filter int, had, want bool) []unix.Kevent_t {
	if had == want {
		return changes
	}
	flags := unix.EV_ADD
	if !want {
		flags = unix.EV_DELETE
	}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, fd, filter, flags)
	return append(changes, ev)
}

func (b *osBackend) wait(msec int) (int, error) {
	var ts *unix.Timespec
	if msec >= 0 {
		t := unix.NsecToTimespec(int64(time.Duration(msec) * time.Millisecond))
		ts = &t
	}
	n, err := unix.Kevent(b.kq, nil, b.events[:], ts)
	switch err {
	case nil:
		return n, nil
	case unix.EINTR:
		return 0, nil
	}
	return 0, fmt.Errorf("poller: kevent wait: %w", err)
}

func (b *osBackend) event(i int) (int, Event) {
	e := &b.events[i]
	if b.isWake(e) {
		b.ackWake()
		return -1, 0
	}
	// EV_EOF and EV_ERROR come on the filter that saw them; the read or
	// write the handler then makes reports the cause.
	if e.Filter == unix.EVFILT_WRITE {
		return int(e.Ident), EventWrite
	}
	return int(e.Ident), EventRead
}

func (b *osBackend) close() error {
	err1 := b.closeWake()
	err2 := unix.Close(b.kq)
	if err1 != nil {
		return err1
	}
	if err2 != nil {
		return fmt.Errorf("poller: close kqueue: %w", err2)
	}
	return nil
}
