//go:build netbsd || openbsd

package poller

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// wakeState is a non-blocking pipe: these systems have no EVFILT_USER
// (NetBSD gained it only in 10.0), so a byte written to the pipe wakes the
// loop, as in Go's own runtime (netpoll_kqueue_pipe.go).
type wakeState struct {
	r, w int
}

func (b *osBackend) initWake() error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("poller: pipe2: %w", err)
	}
	b.wakeState = wakeState{r: p[0], w: p[1]}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, p[0], unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(b.kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return fmt.Errorf("poller: kevent(wake pipe): %w", err)
	}
	return nil
}

func (b *osBackend) isWake(e *unix.Kevent_t) bool {
	return e.Filter == unix.EVFILT_READ && int(e.Ident) == b.wakeState.r
}

func (b *osBackend) ackWake() {
	var buf [64]byte
	for {
		n, err := unix.Read(b.wakeState.r, buf[:])
		if err == unix.EINTR {
			continue
		}
		if n < len(buf) {
			return
		}
	}
}

func (b *osBackend) wake() error {
	for {
		_, err := unix.Write(b.wakeState.w, []byte{0})
		switch err {
		case nil, unix.EAGAIN: // a full pipe already holds a pending wake-up
			return nil
		case unix.EINTR:
			continue
		}
		return fmt.Errorf("poller: wake pipe write: %w", err)
	}
}

func (b *osBackend) closeWake() error {
	err1 := unix.Close(b.wakeState.r)
	err2 := unix.Close(b.wakeState.w)
	if err1 != nil {
		return fmt.Errorf("poller: close wake pipe: %w", err1)
	}
	if err2 != nil {
		return fmt.Errorf("poller: close wake pipe: %w", err2)
	}
	return nil
}
