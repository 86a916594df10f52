package poller

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// KernelBalances reports whether the kernel spreads the connections of a
// port among several listening sockets (ListenConfig.Balance): FreeBSD
// does with SO_REUSEPORT_LB (plain SO_REUSEPORT gives every connection to
// one socket).
const KernelBalances = true

func setBalance(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT_LB, 1); err != nil {
		return fmt.Errorf("SO_REUSEPORT_LB: %w", err)
	}
	return nil
}
