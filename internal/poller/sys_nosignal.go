//go:build netbsd || openbsd

package poller

import "golang.org/x/sys/unix"

// sendFlags keeps a write to a vanished peer from raising SIGPIPE.
const sendFlags = unix.MSG_NOSIGNAL

// setNoSigpipe is a no-op here: sendFlags already suppresses SIGPIPE.
func setNoSigpipe(fd int) {}
