package poller

import (
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// echoConn is a server connection in owner mode: it writes back what it
// reads, through the socket's output buffer.
type echoConn struct {
	s    Socket
	buf  [4096]byte
	open *atomic.Int64
}

func (c *echoConn) Drained() {}

func (c *echoConn) Readable() {
	n, err := c.s.Read(c.buf[:])
	switch {
	case err == ErrWouldBlock:
		return
	case err != nil:
		c.s.Close()
		c.open.Add(-1)
		return
	}
	o := c.s.OutBuf()
	*o = append(*o, c.buf[:n]...)
	if c.s.Flush() != nil {
		c.s.Close()
		c.open.Add(-1)
	}
}

// startEchoServer runs an echo server on its own loop and goroutine until
// the test ends.
func startEchoServer(t *testing.T) (port int, open *atomic.Int64) {
	t.Helper()
	sl := newTestLoop(t)
	ln, err := sl.Listen("127.0.0.1", 0, ListenConfig{ReuseAddr: true})
	if err != nil {
		t.Fatal(err)
	}
	open = new(atomic.Int64)
	ln.Serve(func(fd int, peer netip.AddrPort) {
		c := &echoConn{open: open}
		if err := c.s.Init(sl, fd, peer); err != nil {
			unix.Close(fd)
			return
		}
		open.Add(1)
		c.s.SetNoDelay(true)
		c.s.SetOwner(c)
	})
	done := make(chan error)
	go func() { done <- sl.Run() }()
	t.Cleanup(func() {
		sl.Post(func() { ln.Close() })
		sl.Stop()
		if err := <-done; err != nil {
			t.Errorf("server loop: %v", err)
		}
	})
	return ln.Port(), open
}

// TestEchoThousandConnections holds 1,000 concurrent loopback connections
// between a server loop and a client loop and exchanges a bounded number
// of messages on each, checking every byte.
func TestEchoThousandConnections(t *testing.T) {
	const conns, messages = 1000, 5
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); lim.Cur < 2*conns+64 {
		t.Skipf("RLIMIT_NOFILE %d is too low for %d connections", lim.Cur, conns)
	}
	port, open := startEchoServer(t)
	cl := newTestLoop(t)
	finished := 0
	all := cl.NewFuture()
	var failure error
	fail := func(err error) {
		if failure == nil {
			failure = err
			all.Complete()
		}
	}
	for i := 0; i < conns; i++ {
		d := cl.Dial("127.0.0.1", port)
		d.AddCallback(func() {
			if d.Failed() {
				fail(d.Err())
				return
			}
			exchange(d.Value(), i, messages, func(err error) {
				if err != nil {
					fail(err)
					return
				}
				if finished++; finished == conns {
					all.Complete()
				}
			})
		})
	}
	waitFor(t, all, 60*time.Second)
	if failure != nil {
		t.Fatal(failure)
	}
	// The server sees every client's EOF and closes its side.
	deadline := time.Now().Add(10 * time.Second)
	for open.Load() != 0 && time.Now().Before(deadline) {
		cl.Poll(10 * time.Millisecond)
	}
	if n := open.Load(); n != 0 {
		t.Fatalf("%d server connections still open", n)
	}
	if n := cl.Registered(); n != 0 {
		t.Fatalf("%d client descriptors still registered", n)
	}
}

// exchange sends messages one at a time on s, checks each echo, then
// closes s and calls done.
func exchange(s *Socket, id, messages int, done func(error)) {
	buf := make([]byte, 64)
	var round func(k int)
	round = func(k int) {
		if k == messages {
			s.Close()
			done(nil)
			return
		}
		msg := fmt.Sprintf("conn %4d message %d|", id, k)
		s.SendString(msg)
		var got []byte
		var recv func()
		recv = func() {
			r := s.Recv(buf)
			r.AddCallback(func() {
				if r.Failed() || r.Value() == 0 {
					done(fmt.Errorf("conn %d: recv: %v (n=%d)", id, r.Err(), r.Value()))
					return
				}
				got = append(got, buf[:r.Value()]...)
				switch {
				case len(got) < len(msg):
					recv()
				case string(got) != msg:
					done(fmt.Errorf("conn %d: echo %q, want %q", id, got, msg))
				default:
					round(k + 1)
				}
			})
		}
		recv()
	}
	round(0)
}
