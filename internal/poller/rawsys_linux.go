//go:build linux

package poller

// This file is the only place in the poller that uses unsafe. It calls the
// hot-path system calls directly instead of through x/sys/unix's wrappers,
// which (1) go through Syscall, whose scheduler hand-off (entersyscall /
// exitsyscall) these non-blocking calls do not need, and which costs about
// a quarter of their time (BenchmarkSyscallPath, rawsys_linux_test.go: a
// read of an empty socket takes 173 ns raw and 215 ns through Syscall on
// the machine of docs/design.md), and (2) allocate a Sockaddr per accept.
//
// Invariant: every call here is non-blocking (the descriptors are
// O_NONBLOCK, epoll_pwait has a zero timeout), so skipping the scheduler
// hand-off cannot stall other goroutines; and every pointer is converted to
// uintptr inside the RawSyscall argument list, which keeps its object alive
// and in place until the call returns (unsafe.Pointer rule 4).

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// epollWait waits for events; msec == 0 takes the raw, non-blocking path.
func epollWait(epfd int, events []unix.EpollEvent, msec int) (int, error) {
	if msec != 0 {
		// May block: the scheduler must know, or a GOMAXPROCS=1 program
		// (and the garbage collector's stop-the-world) would stall.
		return unix.EpollWait(epfd, events, msec)
	}
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd),
		uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// raw makes a non-blocking system call, retrying it while a signal
// interrupts it (EINTR), the one place that loop is written.
func raw(trap, a1, a2, a3, a4 uintptr) (int, error) {
	for {
		n, _, e := unix.RawSyscall6(trap, a1, a2, a3, a4, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}

// sysRead reads from a non-blocking descriptor.
func sysRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return raw(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0)
}

// sysWrite sends on a non-blocking socket with MSG_NOSIGNAL, so a peer that
// has gone away yields EPIPE instead of a SIGPIPE.
func sysWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return raw(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_NOSIGNAL)
}

// maxIovecs bounds one gathered write; the caller loops for the rest.
const maxIovecs = 64

// sysWritev is a gathered sendmsg with MSG_NOSIGNAL over up to maxIovecs
// buffers.
func sysWritev(fd int, bufs [][]byte) (int, error) {
	var iov [maxIovecs]unix.Iovec
	n := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		if n == maxIovecs {
			break
		}
		iov[n].Base = &b[0]
		iov[n].SetLen(len(b))
		n++
	}
	if n == 0 {
		return 0, nil
	}
	msg := unix.Msghdr{Iov: &iov[0]}
	msg.SetIovlen(n)
	return raw(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_NOSIGNAL, 0)
}

// sysAccept accepts a connection as non-blocking and close-on-exec, and
// returns the peer's address without allocating.
func sysAccept(fd int) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	for {
		size := uint32(unsafe.Sizeof(rsa))
		nfd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&rsa)),
			uintptr(unsafe.Pointer(&size)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		if e == unix.EINTR || e == unix.ECONNABORTED {
			// ECONNABORTED: the peer gave up while queued; take the next one.
			continue
		}
		if e != 0 {
			return -1, netip.AddrPort{}, e
		}
		return int(nfd), rawToAddrPort(&rsa), nil
	}
}

func rawToAddrPort(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), ntohs(sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), ntohs(sa.Port))
	}
	return netip.AddrPort{}
}

func ntohs(p uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// setNoSigpipe is a no-op on Linux: every send passes MSG_NOSIGNAL.
func setNoSigpipe(fd int) {}

func sysSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
