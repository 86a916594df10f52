package proc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
)

// TCP states as /proc/net/tcp prints them (include/net/tcp_states.h).
const (
	TCPEstablished = 0x01
	TCPListen      = 0x0A
)

// TCPSocket is one row of /proc/<pid>/net/tcp or tcp6: a TCP socket of the
// process's network namespace (every process's, not only pid's).
type TCPSocket struct {
	Local, Remote netip.AddrPort
	State         int
	Inode         uint64
}

// TCPSockets returns the TCP sockets, IPv4 and IPv6, of process pid's
// network namespace.
func TCPSockets(pid int) ([]TCPSocket, error) {
	var all []TCPSocket
	for _, name := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, name))
		if err != nil {
			if name == "tcp6" && os.IsNotExist(err) {
				continue // a kernel without IPv6
			}
			return nil, err
		}
		socks, err := parseNetTCP(b)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/net/%s: %w", pid, name, err)
		}
		all = append(all, socks...)
	}
	return all, nil
}

// parseNetTCP parses the table of /proc/net/tcp or tcp6:
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
//	0: 0100007F:1F90 00000000:0000 0A ...
func parseNetTCP(b []byte) ([]TCPSocket, error) {
	var out []TCPSocket
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue // the header
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("line %d: %d fields", i+1, len(f))
		}
		local, err1 := parseHexAddr(f[1])
		remote, err2 := parseHexAddr(f[2])
		state, err3 := strconv.ParseInt(f[3], 16, 32)
		inode, err4 := strconv.ParseUint(f[9], 10, 64)
		if err := firstError(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, TCPSocket{Local: local, Remote: remote, State: int(state), Inode: inode})
	}
	return out, nil
}

// parseHexAddr parses "0100007F:1F90": the address as the kernel's 32-bit
// words printed in hex (so each word's bytes are in host order, little
// endian on every machine this runs on), the port in hex.
func parseHexAddr(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("address %q", s)
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("address %q", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port in %q: %w", s, err)
	}
	for w := 0; w < len(raw); w += 4 {
		binary.BigEndian.PutUint32(raw[w:], binary.LittleEndian.Uint32(raw[w:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// EpollSets returns, for every epoll descriptor of process pid, the inodes
// of the files it watches (from /proc/<pid>/fdinfo/<fd>: one "tfd:" line
// per watched descriptor, its inode in hex). Descriptors that close while
// they are read are skipped.
func EpollSets(pid int) (map[int][]uint64, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sets := map[int][]uint64{}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if link, err := os.Readlink(dir + "/" + e.Name()); err != nil || link != "anon_inode:[eventpoll]" {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
		if err != nil {
			continue
		}
		inodes, err := parseEpollInfo(b)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/fdinfo/%d: %w", pid, fd, err)
		}
		sets[fd] = inodes
	}
	return sets, nil
}

// parseEpollInfo returns the inodes of an epoll descriptor's fdinfo:
//
//	tfd:        3 events:       19 data:                3  pos:0 ino:6b1e67 sdev:9
func parseEpollInfo(b []byte) ([]uint64, error) {
	var inodes []uint64
	for line := range bytes.Lines(b) {
		if !bytes.HasPrefix(line, []byte("tfd:")) {
			continue
		}
		_, rest, ok := bytes.Cut(line, []byte(" ino:"))
		if !ok {
			return nil, fmt.Errorf("no ino in %q", bytes.TrimSpace(line))
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return nil, fmt.Errorf("no ino in %q", bytes.TrimSpace(line))
		}
		ino, err := strconv.ParseUint(string(f[0]), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("ino in %q: %w", bytes.TrimSpace(line), err)
		}
		inodes = append(inodes, ino)
	}
	return inodes, nil
}

// Loop is an event loop of a server process, seen from outside: an epoll
// descriptor that watches a listening socket of the server's port.
type Loop struct {
	Epoll     int              // the epoll descriptor, in the server process
	Listeners int              // listening sockets of the port it watches
	Peers     []netip.AddrPort // the client ends of the port's connections it watches, sorted
}

// Loops returns the event loops of process pid that serve port, in the
// order of their epoll descriptors, with the connections each watches. A
// connection the server has not yet accepted and registered is in none.
// Epoll descriptors that watch no listener of the port (Go's own netpoller,
// for instance) are left out.
func Loops(pid int, port uint16) ([]Loop, error) {
	socks, err := TCPSockets(pid)
	if err != nil {
		return nil, err
	}
	sets, err := EpollSets(pid)
	if err != nil {
		return nil, err
	}
	return matchLoops(socks, sets, port), nil
}

// matchLoops assigns the port's sockets to the epoll sets that watch them.
func matchLoops(socks []TCPSocket, sets map[int][]uint64, port uint16) []Loop {
	listeners, conns := map[uint64]bool{}, map[uint64]netip.AddrPort{}
	for _, s := range socks {
		switch {
		case s.Local.Port() != port:
		case s.State == TCPListen:
			listeners[s.Inode] = true
		case s.State == TCPEstablished:
			conns[s.Inode] = s.Remote
		}
	}
	var loops []Loop
	for fd, inodes := range sets {
		l := Loop{Epoll: fd}
		for _, ino := range inodes {
			if listeners[ino] {
				l.Listeners++
			} else if peer, ok := conns[ino]; ok {
				l.Peers = append(l.Peers, peer)
			}
		}
		if l.Listeners > 0 {
			slices.SortFunc(l.Peers, netip.AddrPort.Compare)
			loops = append(loops, l)
		}
	}
	slices.SortFunc(loops, func(a, b Loop) int { return a.Epoll - b.Epoll })
	return loops
}
