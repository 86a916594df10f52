package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/poller"
)

// testServer is a server on a loop of its own, driven by a goroutine for
// the duration of a test.
type testServer struct {
	*Server
	addr string
	done chan error
}

// startServer serves cb on 127.0.0.1 and arranges for the server to be
// closed, and its loop's descriptors checked, when the test ends.
func startServer(t testing.TB, cb Callback, opts ...Option) *testServer {
	t.Helper()
	l, err := poller.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := New(append(opts, OnLoop(wrapLoop(l)))...)
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: fmt.Sprintf("127.0.0.1:%d", srv.Port()), done: make(chan error, 1)}
	serving := srv.Serve(0, cb, "")
	go func() { ts.done <- l.WaitFor(serving) }()
	t.Cleanup(func() {
		ts.stop(t)
		if n := l.Registered(); n != 0 {
			t.Errorf("%d descriptors still registered after Close", n)
		}
		l.Close()
	})
	return ts
}

// stop closes the server and waits for Serve's future.
func (ts *testServer) stop(t testing.TB) {
	t.Helper()
	if ts.done == nil {
		return
	}
	ts.Close()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not close within 20s")
	}
	ts.done = nil
}

// hello is the seed's handler.
func hello(req *Request) *Future { return req.Respond(http.StatusOK, "Hello World", nil) }

// rawConn is a client connection for tests that speak HTTP by hand.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	dialedMu.Lock()
	dialed[t] = append(dialed[t], c)
	dialedMu.Unlock()
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

var (
	dialedMu sync.Mutex
	dialed   = map[*testing.T][]net.Conn{}
)

// closeDialed closes every connection t has dialed so far.
func closeDialed(t *testing.T) {
	dialedMu.Lock()
	cs := dialed[t]
	delete(dialed, t)
	dialedMu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}

func (rc *rawConn) write(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// response reads one response; method is the request's (HEAD has no body).
func (rc *rawConn) response(method string) *http.Response {
	rc.t.Helper()
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		rc.t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		rc.t.Fatalf("reading body: %v", err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

// expectClosed checks that the server closes the connection (EOF, not a
// reset) with nothing more to read.
func (rc *rawConn) expectClosed() {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := rc.br.Read(make([]byte, 1))
	if n != 0 || err != io.EOF {
		rc.t.Fatalf("expected EOF from the server, got n=%d err=%v", n, err)
	}
}

func bodyOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("descriptor count needs /proc")
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// readRetry and writeRetry are blocking reads and writes for raw-socket
// test clients: the runtime's preemption signals interrupt them (EINTR),
// which x/sys/unix does not retry.
func readRetry(fd int, p []byte) (int, error) {
	for {
		n, err := unix.Read(fd, p)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func writeRetry(fd int, p []byte) (int, error) {
	for {
		n, err := unix.Write(fd, p)
		if err != unix.EINTR {
			return n, err
		}
	}
}
