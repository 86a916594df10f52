//go:build darwin || netbsd || openbsd

package poller

// KernelBalances reports whether the kernel spreads the connections of a
// port among several listening sockets (ListenConfig.Balance). macOS,
// NetBSD and OpenBSD do not: their SO_REUSEPORT lets sockets share a port
// but gives every connection to one of them, so a multi-loop server
// accepts on one loop and hands connections over.
const KernelBalances = false

func setBalance(fd int) error { return nil }
