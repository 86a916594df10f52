package conn

import (
	"bufio"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// harness drives one connection of a Group from a single goroutine: the
// client is the other end of a socketpair, and whenever the client would
// block the harness polls the loop instead. No sleeps, no races.
type harness struct {
	t      *testing.T
	l      *poller.Loop
	g      *Group
	client int
	br     *bufio.Reader
}

type handlerFunc func(x *Exchange)

func (f handlerFunc) Serve(x *Exchange) { f(x) }

func (f handlerFunc) StreamBody(x *Exchange) bool { return false }

// streamingHandler dispatches every request with a body at its head.
type streamingHandler func(x *Exchange)

func (f streamingHandler) Serve(x *Exchange) { f(x) }

func (f streamingHandler) StreamBody(x *Exchange) bool { return true }

// respond answers x at once and marks its handler done.
func respond(x *Exchange, code int, body string, fields ...Field) {
	gen := x.Gen()
	if err := x.Claim(gen); err != nil {
		panic(err)
	}
	x.Fields = append(x.Fields[:0], fields...)
	if err := x.Commit(gen, code, body); err != nil {
		panic(err)
	}
	x.HandlerDone(gen)
}

func newHarness(t *testing.T, cfg Config, h func(x *Exchange)) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, handlerFunc(h))
}

// newHarnessWith is newHarness with any Handler.
func newHarnessWith(t *testing.T, cfg Config, h Handler) *harness {
	t.Helper()
	l, err := poller.New()
	if err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
	}
	if cfg.Logger == nil {
		cfg.Logger = discard
	}
	hs := &harness{t: t, l: l, client: fds[1]}
	hs.g = NewGroup(l, cfg, h)
	if err := hs.g.Accept(fds[0], netip.AddrPort{}); err != nil {
		t.Fatal(err)
	}
	hs.br = bufio.NewReader(loopReader{hs})
	t.Cleanup(func() {
		unix.Close(hs.client)
		hs.g.CloseAll()
		if n := l.Registered(); n != 0 {
			t.Errorf("%d descriptors left registered", n)
		}
		l.Close()
	})
	return hs
}

// conn returns the group's only connection (nil once it has closed).
func (hs *harness) conn() *Conn { return hs.g.head }

// poll runs one loop iteration, waiting at most d.
func (hs *harness) poll(d time.Duration) {
	hs.t.Helper()
	if err := hs.l.Poll(d); err != nil {
		hs.t.Fatal(err)
	}
}

// send writes s from the client, polling the loop while the socket is full.
func (hs *harness) send(s string) {
	hs.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s) > 0 {
		n, err := unix.Write(hs.client, []byte(s))
		switch {
		case err == unix.EAGAIN:
			if time.Now().After(deadline) {
				hs.t.Fatal("send: the server stopped reading")
			}
			hs.poll(10 * time.Millisecond)
		case err != nil:
			hs.t.Fatalf("send: %v", err)
		default:
			s = s[n:]
		}
	}
	hs.poll(0)
}

// trySend writes what the socket takes without polling, and returns how
// much that was.
func (hs *harness) trySend(s string) int {
	n, err := unix.Write(hs.client, []byte(s))
	if err != nil {
		return 0
	}
	return n
}

// loopReader reads the client's side, polling the loop while it is empty.
type loopReader struct{ hs *harness }

func (r loopReader) Read(p []byte) (int, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := unix.Read(r.hs.client, p)
		switch {
		case err == unix.EAGAIN:
			if time.Now().After(deadline) {
				r.hs.t.Fatal("read: nothing from the server in 10s")
			}
			r.hs.poll(50 * time.Millisecond)
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// response reads one response.
func (hs *harness) response(method string) (*http.Response, string) {
	hs.t.Helper()
	resp, err := http.ReadResponse(hs.br, &http.Request{Method: method})
	if err != nil {
		hs.t.Fatalf("reading response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		hs.t.Fatalf("reading body: %v", err)
	}
	return resp, string(b)
}

// expectEOF checks that the server closed its side (after what was read).
func (hs *harness) expectEOF() {
	hs.t.Helper()
	rest, err := io.ReadAll(hs.br)
	if err != nil {
		hs.t.Fatalf("expected EOF, got %v", err)
	}
	if len(rest) != 0 {
		hs.t.Fatalf("unexpected bytes before EOF: %q", rest)
	}
}

func get(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }

var discard = newDiscardLogger()

func hello(x *Exchange) { respond(x, 200, "Hello World") }

func repeat(s string, n int) string { return strings.Repeat(s, n) }

type parserLimits = parser.Limits

func limits(maxBody int64) (l parserLimits) {
	l.MaxBody = maxBody
	return l
}
