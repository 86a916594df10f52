package main

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"asynchttpserver.dev/bench/internal/proc"
)

// maxDialsPerLoop bounds the dials of place: with a fair hash, the chance
// that some loop is still empty after this many is negligible.
const maxDialsPerLoop = 64

// place dials connections to addr until each of the c event loops of
// server process pid watches exactly one of them, and returns those c and
// the number of dials. Connections that land on a loop that has one
// already are closed.
func place(addr string, c, pid int, deadline time.Time) ([]net.Conn, int, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, 0, fmt.Errorf("-addr %q: %w", addr, err)
	}
	byLoop := map[int]net.Conn{} // epoll descriptor → the connection kept there
	dials := 0
	fail := func(err error) ([]net.Conn, int, error) {
		closeAll(values(byLoop))
		return nil, dials, err
	}
	for len(byLoop) < c {
		var pending []net.Conn
		for len(byLoop)+len(pending) < c {
			if dials >= maxDialsPerLoop*c {
				closeAll(pending)
				return fail(fmt.Errorf("%d dials and still not one connection on each of %d loops", dials, c))
			}
			conn, err := dial(addr, deadline)
			if err != nil {
				closeAll(pending)
				return fail(err)
			}
			dials++
			pending = append(pending, conn)
		}
		where, loops, err := watchedBy(pid, ap.Port(), pending, deadline)
		if err != nil {
			closeAll(pending)
			return fail(err)
		}
		if loops < c && time.Now().Before(deadline) {
			// A loop not listening yet (its thread still starting, slowly
			// under callgrind): every connection went to the others. Try
			// again once it may be.
			dials -= len(pending) // not the hash's fault: not counted against maxDialsPerLoop
			closeAll(pending)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if loops != c {
			closeAll(pending)
			return fail(fmt.Errorf("server %d has %d loops on port %d, not -c %d", pid, loops, ap.Port(), c))
		}
		for _, conn := range pending {
			ep := where[localAddr(conn)]
			if _, taken := byLoop[ep]; taken {
				conn.Close()
				continue
			}
			byLoop[ep] = conn
		}
	}
	return values(byLoop), dials, nil
}

// watchedBy waits until the server watches every pending connection on one
// of its loops. It returns the loop (epoll descriptor) that watches each
// connection, by the connection's local address, and the number of loops.
func watchedBy(pid int, port uint16, pending []net.Conn, deadline time.Time) (map[netip.AddrPort]int, int, error) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		loops, err := proc.Loops(pid, port)
		if err != nil {
			return nil, 0, err
		}
		where := map[netip.AddrPort]int{}
		for _, l := range loops {
			for _, p := range l.Peers {
				where[p] = l.Epoll
			}
		}
		missing := 0
		for _, conn := range pending {
			if _, ok := where[localAddr(conn)]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return where, len(loops), nil
		}
		if time.Now().After(deadline) {
			return nil, 0, fmt.Errorf("%d of %d connections on no loop of server %d by the deadline", missing, len(pending), pid)
		}
		<-tick.C
	}
}

// localAddr returns the client end of conn, as /proc/net/tcp names it.
func localAddr(conn net.Conn) netip.AddrPort {
	ap, _ := netip.ParseAddrPort(conn.LocalAddr().String())
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// values returns the connections of byLoop in the order of their loops'
// descriptors, so that the round-robin order is the same in every run.
func values(byLoop map[int]net.Conn) []net.Conn {
	eps := make([]int, 0, len(byLoop))
	for ep := range byLoop {
		eps = append(eps, ep)
	}
	slices.Sort(eps)
	out := make([]net.Conn, len(eps))
	for i, ep := range eps {
		out[i] = byLoop[ep]
	}
	return out
}
