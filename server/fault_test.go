package server

import (
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// faultCase misbehaves against the server at addr. reqs receives every
// request the handler sees, for cases that need it.
type faultCase struct {
	name string
	run  func(t *testing.T, ts *testServer, reqs <-chan *Request)
}

// faultHandler serves the fault suite: /big answers 8 MiB, /panic panics,
// /never never answers, /late hands the request to the test; the rest
// gets Hello World.
func faultHandler(reqs chan<- *Request) Callback {
	big := strings.Repeat("b", 8<<20)
	return func(req *Request) *Future {
		switch req.URL.Path {
		case "/big":
			return req.Respond(200, big, nil)
		case "/panic":
			panic("fault suite")
		case "/never":
			return nil
		case "/late":
			reqs <- req
			return nil
		}
		return hello(req)
	}
}

func resetConn(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0) // close with RST
	c.Close()
}

var faultCases = []faultCase{
	{"reset mid-request", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
		resetConn(rc.c)
	}},
	{"reset mid-response", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		rc.br.Peek(1) // the response has started
		resetConn(rc.c)
	}},
	{"half-close after a full request", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		rc.c.(*net.TCPConn).CloseWrite()
		if resp := rc.response("GET"); resp.StatusCode != 200 {
			t.Fatalf("half-closed client got %d", resp.StatusCode)
		}
		rc.expectClosed()
	}},
	{"handler panics", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := rc.response("GET"); resp.StatusCode != 500 {
			t.Fatalf("got %d", resp.StatusCode)
		}
	}},
	{"handler never responds", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := rc.response("GET"); resp.StatusCode != 503 { // HandlerTimeout
			t.Fatalf("got %d", resp.StatusCode)
		}
	}},
	{"respond after the peer left", func(t *testing.T, ts *testServer, reqs <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
		req := <-reqs
		resetConn(rc.c)
		waitNoConnections(t, ts)
		if err := req.Respond(200, "late", nil).Err(); !errors.Is(err, ErrClosed) {
			t.Fatalf("Respond after the peer left: %v, want ErrClosed", err)
		}
	}},
	{"slowloris", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		if resp := rc.response("GET"); resp.StatusCode != 408 { // HeaderTimeout
			t.Fatalf("got %d", resp.StatusCode)
		}
	}},
	{"garbage", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		rc.write("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello, not HTTP\r\n\r\n")
		if resp := rc.response("GET"); resp.StatusCode != 400 {
			t.Fatalf("got %d", resp.StatusCode)
		}
		rc.expectClosed()
	}},
	{"oversized head", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		go rc.c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("h", 200<<10) + "\r\n\r\n"))
		if resp := rc.response("GET"); resp.StatusCode != 431 {
			t.Fatalf("got %d", resp.StatusCode)
		}
	}},
	{"connect and vanish", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		for i := 0; i < 20; i++ {
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				resetConn(c)
			} else {
				c.Close()
			}
		}
	}},
	{"pipelines without reading", func(t *testing.T, ts *testServer, _ <-chan *Request) {
		rc := dial(t, ts.addr)
		go rc.c.Write([]byte(strings.Repeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 50)))
		rc.br.Peek(1)
		// Never read more: back-pressure holds the output, then
		// WriteTimeout closes the connection.
		waitNoConnections(t, ts)
	}},
}

// TestFaultSuite runs each fault, then checks that the server is alive (a
// fresh connection gets 200) and has leaked nothing: its connections,
// this process's descriptors and goroutines return to their baseline.
func TestFaultSuite(t *testing.T) {
	reqs := make(chan *Request, 16)
	ts := startServer(t, faultHandler(reqs),
		HandlerTimeout(100*time.Millisecond), HeaderTimeout(100*time.Millisecond),
		WriteTimeout(200*time.Millisecond), MaxHeadBytes(64<<10), Logger(discardLogger()))
	liveness(t, ts) // warm up the client side before taking the baseline
	baseFDs, baseGoroutines := openFDs(t), runtime.NumGoroutine()
	for _, fc := range faultCases {
		t.Run(fc.name, func(t *testing.T) {
			fc.run(t, ts, reqs)
			closeDialed(t)
			liveness(t, ts)
			waitNoConnections(t, ts)
			if fds := openFDs(t); fds > baseFDs {
				t.Errorf("descriptors: %d, baseline %d", fds, baseFDs)
			}
			waitGoroutines(t, baseGoroutines+1) // +1: this subtest's own goroutine
		})
	}
}

// liveness checks that a fresh connection is served.
func liveness(t *testing.T, ts *testServer) {
	t.Helper()
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("liveness: %d", resp.StatusCode)
	}
	rc.expectClosed()
	rc.c.Close()
}

// waitNoConnections waits until the server has closed every connection.
func waitNoConnections(t *testing.T, ts *testServer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := make(chan int, 1)
		ts.loop.Post(func() { n <- ts.shards[0].group.Len() })
		if <-n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("connections still open after 10s")
		}
		runtime.Gosched()
	}
}

// waitGoroutines waits for goroutines the case started (client writers)
// to end.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, baseline %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

// MaxConnections pauses accepting at the limit (without polling) and
// resumes when a connection closes.
func TestMaxConnections(t *testing.T) {
	ts := startServer(t, hello, MaxConnections(2))
	c1, c2 := dial(t, ts.addr), dial(t, ts.addr)
	for _, rc := range []*rawConn{c1, c2} {
		rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		rc.response("GET")
	}
	state := make(chan [2]any, 1)
	ts.loop.Post(func() { state <- [2]any{ts.shards[0].group.Len(), ts.ShouldAcceptRequest()} })
	if s := <-state; s[0] != 2 || s[1] != false {
		t.Fatalf("at the limit: %d connections, ShouldAcceptRequest=%v", s[0], s[1])
	}
	c3 := dial(t, ts.addr) // waits in the kernel's backlog
	c3.write("GET /third HTTP/1.1\r\nHost: x\r\n\r\n")
	c1.c.Close()
	if resp := c3.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("third connection after one closed: %d", resp.StatusCode)
	}
}
