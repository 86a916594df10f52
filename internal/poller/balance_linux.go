package poller

// KernelBalances reports whether the kernel spreads the connections of a
// port among several listening sockets (ListenConfig.Balance). Linux
// does, for sockets that all set SO_REUSEPORT: it hashes each connection's
// addresses and ports to one of them.
const KernelBalances = true

// setBalance: on Linux SO_REUSEPORT already balances.
func setBalance(fd int) error { return nil }
