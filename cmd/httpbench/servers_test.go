package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"asynchttpserver.dev/internal/poller"
	"golang.org/x/sys/unix"
)

// This file holds the servers the end-to-end tests run against: all on
// 127.0.0.1, all stopped when the test ends.

// startRawServer runs handle on its own goroutine for every connection
// accepted on 127.0.0.1 and returns the base URL. Connections are closed
// when the test ends, so handlers that block on them return.
func startRawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String() + "/"
}

// closedPortURL returns a URL on 127.0.0.1 where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/"
}

// loopServer is a minimal HTTP server on its own poller loop: it answers
// every request head (bodies are not expected) with one fixed response,
// pipelined requests with one write. Like the client, it allocates
// nothing per request, which lets a test count the client's allocations.
type loopServer struct {
	resp     []byte
	requests atomic.Int64
	maxBatch atomic.Int64 // the most requests seen in one read
}

type loopServerConn struct {
	srv  *loopServer
	s    poller.Socket
	buf  [16 << 10]byte
	held int
}

func (c *loopServerConn) Drained() {}

func (c *loopServerConn) Readable() {
	n, err := c.s.Read(c.buf[c.held:])
	switch {
	case err == poller.ErrWouldBlock:
		return
	case err != nil:
		c.s.Close()
		return
	}
	data := c.buf[:c.held+n]
	var batch int64
	for {
		i := bytes.Index(data, []byte("\r\n\r\n"))
		if i < 0 {
			break
		}
		data = data[i+4:]
		batch++
		out := c.s.OutBuf()
		*out = append(*out, c.srv.resp...)
	}
	c.held = copy(c.buf[:], data)
	if batch > 0 {
		c.srv.requests.Add(batch)
		if batch > c.srv.maxBatch.Load() {
			c.srv.maxBatch.Store(batch)
		}
		if c.s.Flush() != nil {
			c.s.Close()
		}
	}
}

// startLoopServer runs a loopServer answering resp until the test ends
// and returns it with its base URL.
func startLoopServer(t testing.TB, resp string) (*loopServer, string) {
	t.Helper()
	l, err := poller.New()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen("127.0.0.1", 0, poller.ListenConfig{ReuseAddr: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := &loopServer{resp: []byte(resp)}
	var conns []*loopServerConn
	ln.Serve(func(fd int, peer netip.AddrPort) {
		c := &loopServerConn{srv: srv}
		if err := c.s.Init(l, fd, peer); err != nil {
			unix.Close(fd)
			return
		}
		c.s.SetNoDelay(true)
		c.s.SetOwner(c)
		conns = append(conns, c)
	})
	done := make(chan error)
	go func() { done <- l.Run() }()
	t.Cleanup(func() {
		l.Stop()
		if err := <-done; err != nil {
			t.Errorf("server loop: %v", err)
		}
		// The loop has stopped: its sockets may be closed from here.
		ln.Close()
		for _, c := range conns {
			c.s.Close()
		}
		l.Close()
	})
	return srv, fmt.Sprintf("http://127.0.0.1:%d/", ln.Port())
}
