package poller

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Dial connects to address:port without blocking the loop (Nim's
// connect). The future completes with the connected socket.
func (l *Loop) Dial(address string, port int) *FutureOf[*Socket] {
	f := NewFutureOf[*Socket](l)
	ip, err := resolve(address)
	if err != nil {
		f.fail(err)
		return f
	}
	if ip.IsUnspecified() { // "" dials this host, as net.Dial does
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	peer := netip.AddrPortFrom(ip, uint16(port))
	fd, err := newSocket(family(ip))
	if err != nil {
		f.fail(fmt.Errorf("poller: dial %s: %w", peer, err))
		return f
	}
	err = unix.Connect(fd, sockaddr(ip, port))
	if err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		unix.Close(fd)
		f.fail(fmt.Errorf("poller: dial %s: %w", peer, err))
		return f
	}
	s, rerr := l.NewSocket(fd, peer)
	if rerr != nil {
		unix.Close(fd)
		f.fail(rerr)
		return f
	}
	if err == nil {
		f.complete(s)
		return f
	}
	// In progress: the socket turns writable when the handshake ends.
	s.extra().dialFut = f
	s.updateInterest()
	return f
}

// finishDial completes a pending Dial once the socket is writable.
func (s *Socket) finishDial() {
	f := s.more.dialFut
	s.more.dialFut = nil
	soerr, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = unix.Errno(soerr)
	}
	if err != nil {
		s.Close()
		f.fail(fmt.Errorf("poller: dial %s: %w", s.peer, err))
		return
	}
	s.updateInterest()
	f.complete(s)
}
