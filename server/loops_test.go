package server

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loopsHandler answers with the index of the loop its request runs on
// (found by asking each of the server's loops whether it is the caller's),
// after a SleepAsync on the request's loop: a future on the wrong loop
// would panic.
func loopsHandler(srv *atomic.Pointer[Server]) Callback {
	return func(req *Request) *Future {
		s := srv.Load()
		here := -1
		for i, sh := range s.shards {
			if sh.loop.l.Driving() {
				here = i
			}
		}
		if req.Loop() != s.shards[here].loop {
			return req.Respond(500, "request on another loop", nil)
		}
		done := req.Loop().NewFuture()
		req.Loop().SleepAsync(time.Millisecond).AddCallback(func() {
			req.Respond(200, fmt.Sprint(here), nil)
			done.Complete()
		})
		return done
	}
}

func startLoops(t *testing.T, opts ...Option) *testServer {
	var srv atomic.Pointer[Server]
	ts := startServer(t, loopsHandler(&srv), opts...)
	srv.Store(ts.Server)
	return ts
}

// Connections spread over the loops, each request runs on its
// connection's loop, and its futures and timers belong there; the
// per-loop counters show the spread. Both designs: a listener per loop
// (the kernel balances) and one acceptor handing connections over.
func TestRequestsSpreadAcrossLoops(t *testing.T) {
	for _, handoff := range []bool{false, true} {
		opts := []Option{Loops(2)}
		if handoff {
			opts = append(opts, forceHandoff())
		}
		ts := startLoops(t, opts...)
		seen := map[string]int{}
		var conns []*rawConn
		for i := 0; i < 32; i++ {
			rc := dial(t, ts.addr)
			rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp := rc.response("GET")
			if resp.StatusCode != 200 {
				t.Fatalf("handoff=%v: %d %s", handoff, resp.StatusCode, bodyOf(t, resp))
			}
			seen[bodyOf(t, resp)]++
			conns = append(conns, rc) // kept open: the least-loaded loop changes
		}
		if len(seen) != 2 {
			t.Fatalf("handoff=%v: requests ran on loops %v, want both", handoff, seen)
		}
		st := ts.Stats()
		if len(st) != 2 || st[0].Requests+st[1].Requests != 32 || st[0].Connections+st[1].Connections != 32 {
			t.Fatalf("handoff=%v: stats %+v", handoff, st)
		}
		if handoff && (st[0].Connections != 16 || st[1].Connections != 16) {
			t.Fatalf("least-loaded handoff: %+v, want 16 and 16", st)
		}
		for _, rc := range conns {
			rc.c.Close()
		}
	}
}

// Close with requests in flight on every loop: each gets its response,
// Serve's future completes, and the goroutines driving the extra loops
// end.
func TestCloseWithRequestsInFlightOnEveryLoop(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := startLoops(t, Loops(3), forceHandoff())
	var wg sync.WaitGroup
	results := make(chan string, 9)
	for i := 0; i < 9; i++ { // three per loop
		rc := dial(t, ts.addr)
		rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.ReadResponse(rc.br, nil)
			if err != nil {
				results <- err.Error()
				return
			}
			results <- fmt.Sprint(resp.StatusCode)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for total := uint64(0); total < 9; { // every request is with its handler
		total = 0
		for _, st := range ts.Stats() {
			total += st.Requests
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 9 requests dispatched", total)
		}
		runtime.Gosched()
	}
	ts.stop(t)
	wg.Wait()
	close(results)
	for r := range results {
		if r != "200" {
			t.Fatalf("a request in flight at Close got %s", r)
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+1 { // +1: startServer's own
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the server: a loop driver did not end", runtime.NumGoroutine(), before)
		}
		runtime.Gosched()
	}
}

// MaxConnections counts every loop's connections: past it, accepting
// pauses on every loop, and resumes when any connection closes.
func TestAdmissionAcrossLoops(t *testing.T) {
	for _, handoff := range []bool{false, true} {
		opts := []Option{Loops(2), MaxConnections(3)}
		if handoff {
			opts = append(opts, forceHandoff())
		}
		ts := startLoops(t, opts...)
		var open []*rawConn
		for i := 0; i < 3; i++ {
			rc := dial(t, ts.addr)
			rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			rc.response("GET")
			open = append(open, rc)
		}
		waiting := dial(t, ts.addr) // connects (the kernel's backlog), but is not accepted
		waiting.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		served := make(chan int, 1)
		go func() { served <- waiting.response("GET").StatusCode }()
		deadline := time.Now().Add(10 * time.Second)
		for ts.conns.Load() < 3 || ts.paused.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("handoff=%v: accepting did not pause at 3 connections", handoff)
			}
			runtime.Gosched()
		}
		select {
		case <-served:
			t.Fatalf("handoff=%v: a 4th connection was served past MaxConnections(3)", handoff)
		default:
		}
		if n := ts.conns.Load(); n != 3 {
			t.Fatalf("handoff=%v: %d connections open", handoff, n)
		}
		open[0].c.Close()
		select {
		case code := <-served:
			if code != 200 {
				t.Fatalf("handoff=%v: %d", handoff, code)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("handoff=%v: accepting never resumed after a close", handoff)
		}
	}
}
