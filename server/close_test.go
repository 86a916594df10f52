package server

import (
	"net"
	"testing"
	"time"
)

// Close stops accepting at once, lets responses in flight finish, closes
// idle connections, and releases every descriptor.
func TestCloseWithRequestsInFlight(t *testing.T) {
	before := openFDs(t)
	started := make(chan struct{}, 1)
	ts := startServer(t, func(req *Request) *Future {
		if req.URL.Path != "/slow" {
			return req.Respond(200, "fast", nil)
		}
		started <- struct{}{}
		done := req.Loop().NewFuture()
		req.Loop().AddTimer(50*time.Millisecond, func() {
			req.Respond(200, "slow but delivered", nil)
			done.Complete()
		})
		return done
	})
	idle := dial(t, ts.addr)
	idle.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	idle.response("GET")
	busy := dial(t, ts.addr)
	busy.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	ts.Close()
	resp := busy.response("GET")
	if got := bodyOf(t, resp); got != "slow but delivered" || !resp.Close {
		t.Fatalf("in-flight response: %q close=%v", got, resp.Close)
	}
	busy.expectClosed()
	idle.expectClosed()
	ts.stop(t)
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Fatal("still accepting after Close")
	}
	idle.c.Close()
	busy.c.Close()
	if after := openFDs(t); after > before+3 { // the test loop's epoll and eventfd, and slack for the runtime's
		t.Fatalf("descriptors: %d before, %d after", before, after)
	}
}

// A handler that never answers does not keep Close from finishing: the
// grace period ends it.
func TestCloseGraceBoundsStuckHandlers(t *testing.T) {
	called := make(chan struct{}, 1)
	ts := startServer(t, func(req *Request) *Future {
		called <- struct{}{}
		return nil // and never respond
	}, ShutdownGrace(100*time.Millisecond))
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-called
	ts.stop(t)
	rc.expectClosed()
}
