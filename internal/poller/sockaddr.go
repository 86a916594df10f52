package poller

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// resolve turns a host into an address: "" is the unspecified address,
// literals are parsed, names are looked up (synchronously: Listen and
// Dial are set-up calls; pass literals on a busy loop).
func resolve(host string) (netip.Addr, error) {
	if host == "" {
		return netip.IPv6Unspecified(), nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("poller: resolve %q: %w", host, err)
	}
	for _, ip := range ips { // prefer IPv4, which every local server listens on
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	return ips[0], nil
}

func sockaddr(ip netip.Addr, port int) unix.Sockaddr {
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: ip.As4()}
	}
	return &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
}

func family(ip netip.Addr) int {
	if ip.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// listenFD creates, configures, binds and listens. The unspecified IPv6
// address gets a dual-stack socket, falling back to IPv4 when the system
// has no IPv6.
func listenFD(ip netip.Addr, port int, cfg ListenConfig) (int, netip.AddrPort, error) {
	fd, err := newSocket(family(ip))
	if err != nil && ip == netip.IPv6Unspecified() {
		ip = netip.IPv4Unspecified()
		fd, err = newSocket(unix.AF_INET)
	}
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if err := configureListener(fd, ip, cfg); err != nil {
		unix.Close(fd)
		return -1, netip.AddrPort{}, err
	}
	if err := unix.Bind(fd, sockaddr(ip, port)); err != nil {
		unix.Close(fd)
		return -1, netip.AddrPort{}, fmt.Errorf("bind: %w", err)
	}
	backlog := cfg.Backlog
	if backlog <= 0 {
		backlog = unix.SOMAXCONN
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return -1, netip.AddrPort{}, fmt.Errorf("listen: %w", err)
	}
	return fd, localAddr(fd), nil
}

func configureListener(fd int, ip netip.Addr, cfg ListenConfig) error {
	if cfg.ReuseAddr {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return fmt.Errorf("SO_REUSEADDR: %w", err)
		}
	}
	if cfg.ReusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fmt.Errorf("SO_REUSEPORT: %w", err)
		}
	}
	if cfg.Balance && KernelBalances {
		if err := setBalance(fd); err != nil {
			return err
		}
	}
	if ip == netip.IPv6Unspecified() {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
			return fmt.Errorf("IPV6_V6ONLY: %w", err)
		}
	}
	return nil
}

// newSocket returns a non-blocking, close-on-exec TCP socket.
func newSocket(family int) (int, error) {
	fd, err := sysSocket(family)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	setNoSigpipe(fd)
	return fd, nil
}

func localAddr(fd int) netip.AddrPort {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return netip.AddrPort{}
	}
	return sockaddrToAddrPort(sa)
}

func sockaddrToAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}
