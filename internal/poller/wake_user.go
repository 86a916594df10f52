//go:build darwin || freebsd

package poller

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// wakeIdent names the loop's EVFILT_USER event. User events live in their
// own namespace, so it cannot collide with a descriptor.
const wakeIdent = 0

// wakeState is empty: an EVFILT_USER event needs no descriptor of its own.
type wakeState struct{}

func (b *osBackend) initWake() error {
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Flags: unix.EV_ADD | unix.EV_CLEAR}
	if _, err := unix.Kevent(b.kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		return fmt.Errorf("poller: kevent(EVFILT_USER): %w", err)
	}
	return nil
}

func (b *osBackend) isWake(e *unix.Kevent_t) bool {
	return e.Filter == unix.EVFILT_USER && e.Ident == wakeIdent
}

// ackWake has nothing to drain: EV_CLEAR resets the event when reported.
func (b *osBackend) ackWake() {}

func (b *osBackend) wake() error {
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Fflags: unix.NOTE_TRIGGER}
	for {
		_, err := unix.Kevent(b.kq, []unix.Kevent_t{ev}, nil, nil)
		if err != unix.EINTR {
			if err != nil {
				return fmt.Errorf("poller: kevent(NOTE_TRIGGER): %w", err)
			}
			return nil
		}
	}
}

func (b *osBackend) closeWake() error { return nil }
