//go:build darwin

package poller

import "golang.org/x/sys/unix"

// sendFlags is empty on macOS: SIGPIPE is suppressed per socket with
// SO_NOSIGPIPE instead (setNoSigpipe).
const sendFlags = 0

func setNoSigpipe(fd int) {
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
}
