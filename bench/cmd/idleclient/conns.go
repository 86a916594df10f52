package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/bench/internal/verify"
)

// request is sent once on every connection.
const request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: idleclient\r\n\r\n"

// connsPerSource is how many connections sourceAddrs plans per source
// address: well under the local port range (32768–60999 by default).
const connsPerSource = 20000

// raiseNoFile raises RLIMIT_NOFILE's soft limit to the hard limit and
// returns it; it fails when even that is below need.
func raiseNoFile(need uint64) (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("setrlimit: %w", err)
		}
	}
	if lim.Cur < need {
		return lim.Cur, fmt.Errorf("need %d descriptors, the hard limit (RLIMIT_NOFILE) is %d: lower -c or raise the limit (ulimit -Hn)", need, lim.Cur)
	}
	return lim.Cur, nil
}

// sourceAddrs returns n loopback addresses from 127.0.0.1 upwards, or, for
// n = 0, one per connsPerSource connections and at least 2, so that the
// spreading is exercised at any count.
func sourceAddrs(c, n int) ([]netip.Addr, error) {
	if n == 0 {
		n = max(2, (c+connsPerSource-1)/connsPerSource)
	}
	if n < 1 || n > 254 {
		return nil, fmt.Errorf("-sources %d: want 1 to 254", n)
	}
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i)})
	}
	return out, nil
}

// dialer binds to src before it connects, leaving the port to connect.
func dialer(src netip.Addr, deadline time.Time) *net.Dialer {
	return &net.Dialer{
		Deadline:  deadline,
		LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0)),
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
			})
			return errors.Join(err, serr)
		},
	}
}

// openAll opens c connections to server, connection i from source
// i mod len(srcs), with workers at a time, and has one request answered on
// each. On error it returns the connections opened so far.
func openAll(server netip.AddrPort, srcs []netip.Addr, c, workers int, deadline time.Time) ([]net.Conn, error) {
	dialers := make([]*net.Dialer, len(srcs))
	for i, s := range srcs {
		dialers[i] = dialer(s, deadline)
	}
	conns := make([]net.Conn, c)
	next := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(1, min(workers, c)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReaderSize(nil, 1024)
			for i := range next {
				conn, err := openOne(dialers[i%len(dialers)], server, br, deadline)
				if err != nil {
					select {
					case errs <- fmt.Errorf("connection %d from %s: %w", i+1, srcs[i%len(srcs)], err):
					default:
					}
					continue
				}
				conns[i] = conn
			}
		}()
	}
	var err error
feed:
	for i := range c {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	opened := conns[:0]
	for _, conn := range conns {
		if conn != nil {
			opened = append(opened, conn)
		}
	}
	return opened, err
}

// openOne dials, sends the request and reads the response in full.
func openOne(d *net.Dialer, server netip.AddrPort, br *bufio.Reader, deadline time.Time) (net.Conn, error) {
	conn, err := d.Dial("tcp4", server.String())
	if err != nil {
		return nil, err
	}
	fail := func(err error) (net.Conn, error) {
		conn.Close()
		return nil, err
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fail(err)
	}
	if _, err := conn.Write([]byte(request)); err != nil {
		return fail(fmt.Errorf("write: %w", err))
	}
	br.Reset(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	err = verify.Response(resp)
	resp.Body.Close()
	if err != nil {
		return fail(err)
	}
	if br.Buffered() > 0 {
		return fail(fmt.Errorf("%d bytes after the response", br.Buffered()))
	}
	// No deadline while idle: the connection waits as long as the harness.
	return conn, conn.SetDeadline(time.Time{})
}

// openness counts the connections by what a non-blocking peek finds.
type openness struct {
	Open       int `json:"open"`       // nothing to read: still open and silent
	Closed     int `json:"closed"`     // end of stream or an error: the server closed it
	Unexpected int `json:"unexpected"` // bytes nobody asked for
}

// checkOpen peeks at every connection without blocking.
func checkOpen(conns []net.Conn) openness {
	var o openness
	buf := make([]byte, 1)
	for _, conn := range conns {
		rc, err := conn.(*net.TCPConn).SyscallConn()
		if err != nil {
			o.Closed++
			continue
		}
		var n int
		var perr error
		rc.Read(func(fd uintptr) bool {
			n, _, perr = unix.Recvfrom(int(fd), buf, unix.MSG_PEEK|unix.MSG_DONTWAIT)
			return true // one look, no waiting
		})
		switch {
		case perr == unix.EAGAIN:
			o.Open++
		case perr != nil || n == 0:
			o.Closed++
		default:
			o.Unexpected++
		}
	}
	return o
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}
