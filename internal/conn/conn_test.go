package conn

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestKeepAliveAndWorkReturnedWhenIdle(t *testing.T) {
	hs := newHarness(t, Config{}, hello)
	for i := 0; i < 3; i++ {
		hs.send(get("/"))
		if _, body := hs.response("GET"); body != "Hello World" {
			t.Fatalf("body %q", body)
		}
		c := hs.conn()
		if c.work == nil {
			t.Fatal("a connection between requests gave its work back at once")
		}
		hs.g.Shed(hs.l.Nanotime()) // what the group's sweep does after a second idle
		if c.work != nil || c.s.Pending() != 0 {
			t.Fatalf("idle connection holds its work (%v) or output (%d)", c.work != nil, c.s.Pending())
		}
	}
}

// TestDeferredRequestBytesStayPut checks the invariant behind the unsafe
// strings: the bytes of a request in flight are never overwritten, even
// while later requests fill, compact and replace the input buffer.
func TestDeferredRequestBytesStayPut(t *testing.T) {
	type held struct {
		x    *Exchange
		path string // a zero-copy view, checked later
		want string // a copy
	}
	var pending []held
	hs := newHarness(t, Config{MaxInFlight: 1000}, func(x *Exchange) {
		p := x.String(x.Head.Path)
		pending = append(pending, held{x, p, strings.Clone(p)})
	})
	// Enough pipelined requests, with long varied targets, to go through
	// several buffer replacements while none is answered.
	var stream strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&stream, "GET /%d/%s HTTP/1.1\r\nHost: x\r\n\r\n", i, repeat(string(rune('a'+i%26)), 100+i%97))
	}
	hs.send(stream.String())
	for len(pending) < 400 {
		hs.poll(10 * time.Millisecond)
	}
	for i, h := range pending {
		if h.path != h.want {
			t.Fatalf("request %d's path changed under it: %q", i, h.path[:20])
		}
		respond(h.x, 200, h.want)
	}
	for i := 0; i < 400; i++ {
		if _, body := hs.response("GET"); body != pending[i].want {
			t.Fatalf("response %d: %q", i, body[:20])
		}
	}
}

// A client that pipelines without reading gets a bounded output buffer:
// past MaxOutput the connection stops dispatching and reading.
func TestBackPressure(t *testing.T) {
	const maxOutput, respSize, requests = 64 << 10, 32 << 10, 300
	calls := 0
	big := repeat("z", respSize)
	hs := newHarness(t, Config{MaxOutput: maxOutput}, func(x *Exchange) {
		calls++
		respond(x, 200, big)
	})
	unix.SetsockoptInt(hs.conn().s.FD(), unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10)
	stream := repeat(get("/"), requests)
	sent := 0
	for i := 0; i < 50 && sent < len(stream); i++ {
		sent += hs.trySend(stream[sent:])
		hs.poll(0)
	}
	c := hs.conn()
	// The kernel's socket buffer (at most a few hundred KiB) plus
	// MaxOutput plus one response bounds what was produced.
	if limit := (maxOutput + 512<<10) / respSize; calls > limit {
		t.Fatalf("%d handlers ran for a client that reads nothing (limit %d)", calls, limit)
	}
	if p := c.s.Pending(); p > maxOutput+respSize {
		t.Fatalf("%d bytes queued, past MaxOutput %d + one response", p, maxOutput)
	}
	// Now read: every response arrives, in order, and the rest is served.
	for i := 0; i < requests; i++ {
		if sent < len(stream) {
			sent += hs.trySend(stream[sent:])
		}
		if _, body := hs.response("GET"); len(body) != respSize {
			t.Fatalf("response %d: %d bytes", i, len(body))
		}
	}
	if calls != requests {
		t.Fatalf("%d of %d requests served", calls, requests)
	}
}

// RFC 9112 §9.6 / slowloris: a head that does not complete within
// HeaderTimeout of its first byte gets 408 and the connection closes,
// however steadily its bytes trickle in.
func TestHeaderTimeout(t *testing.T) {
	hs := newHarness(t, Config{HeaderTimeout: 100 * time.Millisecond}, hello)
	start := time.Now()
	head := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + repeat("s", 1000)
	for i := 0; i < len(head) && hs.conn() != nil; i++ {
		hs.trySend(head[i : i+1])
		hs.poll(5 * time.Millisecond) // a byte every few ms: the idle clock would never fire
		if readable(hs.client) {
			break
		}
	}
	resp, _ := hs.response("GET")
	if resp.StatusCode != 408 {
		t.Fatalf("slowloris got %d, want 408", resp.StatusCode)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("408 after %v", took)
	}
	unix.Shutdown(hs.client, unix.SHUT_WR)
	hs.expectEOF()
}

func TestBodyTimeout(t *testing.T) {
	hs := newHarness(t, Config{BodyTimeout: 50 * time.Millisecond}, hello)
	hs.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nonly5")
	if resp, _ := hs.response("POST"); resp.StatusCode != 408 {
		t.Fatalf("got %d, want 408", resp.StatusCode)
	}
}

func TestIdleTimeoutClosesQuietly(t *testing.T) {
	hs := newHarness(t, Config{IdleTimeout: 50 * time.Millisecond}, hello)
	hs.send(get("/"))
	hs.response("GET")
	hs.expectEOF() // no response, just the close
	if hs.g.Len() != 0 {
		t.Fatal("connection still counted")
	}
}

func TestWriteTimeoutClosesAStalledReader(t *testing.T) {
	big := repeat("w", 4<<20)
	hs := newHarness(t, Config{WriteTimeout: 100 * time.Millisecond}, func(x *Exchange) { respond(x, 200, big) })
	hs.send(get("/"))
	deadline := time.Now().Add(10 * time.Second)
	for hs.g.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a client that never reads was not closed")
		}
		hs.poll(50 * time.Millisecond)
	}
}

func TestHandlerTimeoutAnswers503(t *testing.T) {
	var late *Exchange
	var lateGen uint32
	hs := newHarness(t, Config{HandlerTimeout: 50 * time.Millisecond}, func(x *Exchange) { late, lateGen = x, x.Gen() })
	hs.send(get("/"))
	if resp, _ := hs.response("GET"); resp.StatusCode != 503 {
		t.Fatalf("got %d, want 503", resp.StatusCode)
	}
	if err := late.Claim(lateGen); err != ErrResponded {
		t.Fatalf("late Claim = %v, want ErrResponded", err)
	}
	late.HandlerDone(lateGen)
	hs.send(get("/")) // the connection goes on
	if late == nil {
		t.Fatal("no second request")
	}
}

// A client that shuts its write side after a full request still gets the
// response (then the server closes).
func TestHalfCloseStillAnswered(t *testing.T) {
	hs := newHarness(t, Config{}, hello)
	hs.trySend(get("/a") + get("/b"))
	unix.Shutdown(hs.client, unix.SHUT_WR)
	for i := 0; i < 2; i++ {
		if _, body := hs.response("GET"); body != "Hello World" {
			t.Fatalf("response %d: %q", i, body)
		}
	}
	hs.expectEOF()
}

// After an error the server shuts its write side but keeps draining what
// the client still sends, so the client reads the error instead of a
// reset; it closes when the client does.
func TestLingeringCloseAfterError(t *testing.T) {
	// A linger timeout of an hour: only the client's close may end it.
	hs := newHarness(t, Config{Limits: limits(1000), LingerTimeout: time.Hour}, hello)
	hs.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	for i := 0; i < 20; i++ { // the body keeps coming after the 413
		hs.trySend(repeat("b", 4096))
		hs.poll(0)
	}
	resp, _ := hs.response("POST")
	if resp.StatusCode != 413 || !resp.Close {
		t.Fatalf("got %d close=%v", resp.StatusCode, resp.Close)
	}
	hs.expectEOF() // write side shut
	if hs.g.Len() != 1 {
		t.Fatal("closed before the client finished sending")
	}
	hs.trySend(repeat("b", 4096)) // still drained, not reset
	hs.poll(0)
	unix.Close(hs.client)
	for i := 0; i < 3 && hs.g.Len() != 0; i++ {
		hs.poll(time.Second)
	}
	if hs.g.Len() != 0 {
		t.Fatal("lingering connection not closed when the client left")
	}
}

func TestPeerGoneMidRequestAndMidResponse(t *testing.T) {
	hs := newHarness(t, Config{}, hello)
	hs.trySend("GET / HTTP/1.1\r\nHo")
	hs.poll(0)
	unix.Close(hs.client)
	for i := 0; i < 10 && hs.g.Len() != 0; i++ {
		hs.poll(10 * time.Millisecond)
	}
	if hs.g.Len() != 0 {
		t.Fatal("connection kept after the peer left mid-request")
	}

	big := repeat("r", 8<<20)
	hs2 := newHarness(t, Config{}, func(x *Exchange) { respond(x, 200, big) })
	hs2.send(get("/"))
	unix.Close(hs2.client) // mid-response: the write fails with EPIPE/ECONNRESET
	for i := 0; i < 100 && hs2.g.Len() != 0; i++ {
		hs2.poll(10 * time.Millisecond)
	}
	if hs2.g.Len() != 0 {
		t.Fatal("connection kept after the peer left mid-response")
	}
}

func readable(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, _ := unix.Poll(fds, 0)
	return n > 0
}

// A connection kept busy for longer than IdleTimeout is not idle: the
// idle clock restarts with every request (a regression the soak test
// found: it used to run from the first idle moment).
func TestBusyConnectionOutlivesIdleTimeout(t *testing.T) {
	// The timeout leaves room for this test being descheduled on a loaded
	// machine (the server would then rightly see an idle connection).
	hs := newHarness(t, Config{IdleTimeout: 250 * time.Millisecond}, hello)
	for start := time.Now(); time.Since(start) < 600*time.Millisecond; {
		hs.send(get("/"))
		if _, body := hs.response("GET"); body != "Hello World" {
			t.Fatalf("body %q", body)
		}
		hs.poll(5 * time.Millisecond) // a short think time, well under the timeout
	}
	if hs.g.Len() != 1 {
		t.Fatal("a busy keep-alive connection was closed as idle")
	}
}

// A loop that wakes late (a stalled machine) must read a request that has
// arrived before it times the connection out as idle: closing with unread
// input would reset the client. The loop dispatches ready descriptors
// before timers for this reason.
func TestLateWakeReadsBeforeIdleTimeout(t *testing.T) {
	hs := newHarness(t, Config{IdleTimeout: 20 * time.Millisecond}, hello)
	hs.send(get("/"))
	hs.response("GET")
	time.Sleep(60 * time.Millisecond) // the stall: the loop is not polled past the idle deadline
	hs.trySend(get("/late"))          // the request is waiting when the loop wakes
	if _, body := hs.response("GET"); body != "Hello World" {
		t.Fatalf("body %q", body)
	}
	if hs.g.Len() != 1 {
		t.Fatal("the connection was closed although its request had arrived")
	}
}

// BodyTimeout bounds the time without progress, not the whole body: a
// client that sends a byte every 40 ms gets through a body that takes
// four times the timeout, and one that stops for longer gets 408. (The
// pauses are the client's pace: the test's own clock, not a wait for the
// server.)
func TestBodyTimeoutMeasuresProgress(t *testing.T) {
	const timeout = 150 * time.Millisecond
	hs := newHarness(t, Config{BodyTimeout: timeout}, hello)
	hs.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n")
	for i := 0; i < 16; i++ { // 16 × 40 ms = 640 ms, > 4 × the timeout
		next := time.Now().Add(40 * time.Millisecond)
		for time.Now().Before(next) {
			hs.poll(time.Until(next))
		}
		hs.send("b")
	}
	if resp, _ := hs.response("POST"); resp.StatusCode != 200 {
		t.Fatalf("steady body: %d, want 200", resp.StatusCode)
	}
	hs.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nb")
	if resp, _ := hs.response("POST"); resp.StatusCode != 408 {
		t.Fatalf("stalled body: %d, want 408", resp.StatusCode)
	}
}

// A streamed body is delivered as the handler reads, in order, and the
// request pipelined after it is served once the body is read.
func TestStreamedBodyDeliveredAsRead(t *testing.T) {
	var got []byte
	var hs *harness
	hs = newHarnessWith(t, Config{StreamBodies: true}, streamingHandler(func(x *Exchange) {
		gen := x.Gen()
		if !x.BodyStreamed(gen) {
			respond(x, 200, "next")
			return
		}
		buf := make([]byte, 7)
		var read func()
		read = func() {
			f := x.ReadBody(gen, buf)
			f.AddCallback(func() {
				n, err := f.Read()
				if err != nil || n == 0 {
					if err != nil {
						got = append(got, "error: "+err.Error()...)
					}
					respond(x, 200, string(got))
					return
				}
				got = append(got, buf[:n]...)
				read()
			})
		}
		read()
	}))
	body := repeat("0123456789", 5000)
	hs.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	for rest := body; rest != ""; {
		k := min(len(rest), 999)
		hs.send(fmt.Sprintf("%x\r\n%s\r\n", k, rest[:k]))
		rest = rest[k:]
	}
	hs.send("0\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, b := hs.response("POST"); b != body {
		t.Fatalf("streamed body: %d bytes, want %d (%.80q)", len(b), len(body), b)
	}
	if _, b := hs.response("GET"); b != "next" {
		t.Fatalf("pipelined after the body: %q", b)
	}
}

// TestWatchAfterClientLeft: a watcher registered after the client shut
// its side (the response still owed) learns at once that it is gone.
func TestWatchAfterClientLeft(t *testing.T) {
	var held *Exchange
	hs := newHarness(t, Config{}, func(x *Exchange) { held = x })
	hs.send(get("/"))
	if held == nil {
		t.Fatal("not dispatched")
	}
	unix.Shutdown(hs.client, unix.SHUT_WR)
	hs.poll(50 * time.Millisecond) // the loop reads the end of input
	gone := "not run"
	if err := held.Watch(held.Gen(), func(g bool) { gone = fmt.Sprint(g) }, nil); err != nil {
		t.Fatal(err)
	}
	if gone != "true" {
		t.Fatalf("watcher after the client left: %s, want true at once", gone)
	}
	respond(held, 200, "late")
}
