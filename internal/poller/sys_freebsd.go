//go:build freebsd

package poller

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// sendFlags keeps a write to a vanished peer from raising SIGPIPE.
const sendFlags = unix.MSG_NOSIGNAL

func sysAccept(fd int) (int, netip.AddrPort, error) {
	for {
		nfd, sa, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			return -1, netip.AddrPort{}, err
		}
		return nfd, sockaddrToAddrPort(sa), nil
	}
}

// setNoSigpipe is a no-op here: sendFlags already suppresses SIGPIPE.
func setNoSigpipe(fd int) {}
