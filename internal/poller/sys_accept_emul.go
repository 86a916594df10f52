//go:build darwin || netbsd || openbsd

package poller

import (
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysAccept emulates accept4, which these systems lack (or x/sys/unix does
// not wrap). ForkLock keeps a concurrent fork+exec from inheriting the
// descriptor before it is marked close-on-exec, as Go's net package does.
func sysAccept(fd int) (int, netip.AddrPort, error) {
	for {
		syscall.ForkLock.RLock()
		nfd, sa, err := unix.Accept(fd)
		if err == nil {
			unix.CloseOnExec(nfd)
		}
		syscall.ForkLock.RUnlock()
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			return -1, netip.AddrPort{}, err
		}
		if err := unix.SetNonblock(nfd, true); err != nil {
			unix.Close(nfd)
			return -1, netip.AddrPort{}, err
		}
		setNoSigpipe(nfd)
		return nfd, sockaddrToAddrPort(sa), nil
	}
}
