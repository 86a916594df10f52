//go:build darwin || freebsd || netbsd || openbsd

package poller

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// The BSD side goes through x/sys/unix's wrappers: it has to compile and
// be correct; the hand-tuned path is rawsys_linux.go.

// ignoringEINTR retries call while a signal interrupts it (EINTR), the one
// place that loop is written.
func ignoringEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

func sysRead(fd int, p []byte) (int, error) {
	return ignoringEINTR(func() (int, error) { return unix.Read(fd, p) })
}

func sysWrite(fd int, p []byte) (int, error) {
	return ignoringEINTR(func() (int, error) { return unix.SendmsgN(fd, p, nil, nil, sendFlags) })
}

// maxIovecs bounds one gathered write; the caller loops for the rest.
const maxIovecs = 64

func sysWritev(fd int, bufs [][]byte) (int, error) {
	if len(bufs) > maxIovecs {
		bufs = bufs[:maxIovecs]
	}
	return ignoringEINTR(func() (int, error) { return unix.SendmsgBuffers(fd, bufs, nil, nil, sendFlags) })
}

// sysSocket creates a TCP socket, then makes it non-blocking and
// close-on-exec (not every BSD takes SOCK_NONBLOCK in the type).
func sysSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
