package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Strings kept from requests never change. The bug this guards against:
// the input buffer went back to a pool shared by every connection and was
// refilled, so a kept query value read "bob H" and a kept path "TTP/1".
// Here many clients on several connections send requests whose strings
// the handler keeps (a query value, a path used as a map key, a header
// value, the body); after thousands more requests have cycled every
// buffer, each kept string must still be what its request sent.
func TestKeptStringsNeverChange(t *testing.T) {
	type kept struct{ name, path, header, body string }
	var mu sync.Mutex
	keep := map[string]kept{} // by path: the map key is itself a kept string
	ts := startServer(t, func(req *Request) *Future {
		k := kept{req.URL.Query().Get("name"), req.URL.Path, req.Headers.Get("X-Tag"), req.Body}
		mu.Lock()
		keep[req.URL.Path] = k
		mu.Unlock()
		return req.Respond(200, "ok", nil)
	})
	const conns, perConn = 8, 300
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rc := dial(t, ts.addr)
			for i := 0; i < perConn; i++ {
				id := fmt.Sprintf("c%di%d", c, i)
				body := strings.Repeat(id, 1+i%7)
				rc.write(fmt.Sprintf("POST /p/%s?name=%s HTTP/1.1\r\nHost: x\r\nX-Tag: tag-%s\r\nContent-Length: %d\r\n\r\n%s",
					id, id, id, len(body), body))
				if resp := rc.response("POST"); resp.StatusCode != 200 {
					t.Errorf("%s: status %d", id, resp.StatusCode)
					return
				}
			}
		}(c)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(keep) != conns*perConn {
		t.Fatalf("kept %d paths, want %d", len(keep), conns*perConn)
	}
	for path, k := range keep {
		id := strings.TrimPrefix(path, "/p/")
		want := kept{id, "/p/" + id, "tag-" + id, strings.Repeat(id, 1+atoiSuffix(id)%7)}
		if k != want {
			t.Fatalf("kept strings of %s changed: %+v, want %+v", path, k, want)
		}
	}
}

// atoiSuffix returns the number after the last 'i' of a test id.
func atoiSuffix(id string) int {
	n := 0
	for _, c := range id[strings.LastIndexByte(id, 'i')+1:] {
		n = n*10 + int(c-'0')
	}
	return n
}

// A late answer never reaches a later request. The bug: with
// HandlerTimeout, request 1 got its 503, then its goroutine's Respond
// succeeded on a later request of the same keep-alive connection, and
// every response after it was off by one.
func TestLateRespondNeverAnswersALaterRequest(t *testing.T) {
	type late struct {
		req *Request
		id  string
	}
	lates := make(chan late, 16)
	ts := startServer(t, func(req *Request) *Future {
		id := req.URL.Query().Get("id")
		if id == "1" {
			lates <- late{req, id} // answered by the test, after the timeout
			return nil
		}
		go req.Respond(200, "answer for id="+id, nil)
		return nil
	}, HandlerTimeout(100*time.Millisecond))

	rc := dial(t, ts.addr)
	rc.write("GET /?id=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 503 {
		t.Fatalf("request 1: %d, want the timeout's 503", resp.StatusCode)
	}
	l := <-lates
	// The exchange is reused by the next request: send it, then answer
	// request 1 late while request 2 is in flight.
	rc.write("GET /?id=2 HTTP/1.1\r\nHost: x\r\n\r\n")
	if err := l.req.Respond(200, "answer for id="+l.id, nil).Err(); !errors.Is(err, ErrResponded) {
		t.Fatalf("late Respond: %v, want ErrResponded", err)
	}
	for id := 2; id <= 6; id++ {
		if id > 2 {
			rc.write(fmt.Sprintf("GET /?id=%d HTTP/1.1\r\nHost: x\r\n\r\n", id))
		}
		if got := bodyOf(t, rc.response("GET")); got != fmt.Sprintf("answer for id=%d", id) {
			t.Fatalf("request %d got %q", id, got)
		}
	}
	// A kept request stays refused once its connection is gone.
	rc.c.Close()
	waitNoConnections(t, ts)
	if err := l.req.Respond(200, "", nil).Err(); !errors.Is(err, ErrResponded) {
		t.Fatalf("late Respond after the close: %v, want ErrResponded (it was answered)", err)
	}
}

// streamer answers with a head and a body written through Client, in two
// writes, the way a handler streams after SendHeaders.
func streamer(headers Headers, parts ...string) Callback {
	return func(req *Request) *Future {
		done := req.Loop().NewFuture()
		req.SendHeaders(headers).AddCallback(func() {
			var last *Future
			for _, p := range parts {
				last = req.Client.SendString(p)
			}
			last.AddCallback(done.Complete)
		})
		return done
	}
}

// HEAD on a handler that streams never puts the body on the wire. The bug:
// HEAD /stream was answered with the head and then the body, and the next
// response on the connection failed to parse.
func TestHeadOnAStreamingHandlerCarriesNoBody(t *testing.T) {
	for _, h := range []Headers{
		{{Name: "Content-Length", Value: "10"}},
		{{Name: "Transfer-Encoding", Value: "chunked"}},
		nil, // close-delimited for GET
	} {
		parts := []string{"01234", "56789"}
		if len(h) > 0 && h[0].Name == "Transfer-Encoding" {
			parts = []string{"5\r\n01234\r\n", "5\r\n56789\r\n0\r\n\r\n"}
		}
		ts := startServer(t, streamer(h, parts...))
		rc := dial(t, ts.addr)
		rc.write("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := rc.response("HEAD"); resp.StatusCode != 200 {
			t.Fatalf("%v: HEAD status %d", h, resp.StatusCode)
		}
		if h == nil {
			continue // a close-delimited HEAD ends the connection: nothing follows
		}
		resp := rc.response("GET") // parses only if HEAD sent no body
		if got := bodyOf(t, resp); got != "0123456789" {
			t.Fatalf("%v: GET after HEAD: %q", h, got)
		}
	}
}

// A body that overruns its Content-Length is cut at the length, the write
// fails with ErrContentLength, and the connection closes after the
// response; one that falls short ends the connection, so that the client
// sees the truncation. Neither desynchronises the next response.
func TestContentLengthEnforcedOnStreams(t *testing.T) {
	errs := make(chan error, 4)
	ts := startServer(t, func(req *Request) *Future {
		done := req.Loop().NewFuture()
		req.SendHeaders(Headers{{Name: "Content-Length", Value: "5"}}).AddCallback(func() {
			switch req.URL.Path {
			case "/over":
				req.Client.SendString("abc")
				f := req.Client.SendString("defgh")
				f.AddCallback(func() { errs <- f.Err(); done.Complete() })
			case "/under":
				req.Client.SendString("abc").AddCallback(done.Complete)
			}
		})
		return done
	})
	rc := dial(t, ts.addr)
	rc.write("GET /over HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := bodyOf(t, rc.response("GET")); got != "abcde" {
		t.Fatalf("overrun body %q, want the declared 5 bytes", got)
	}
	if err := <-errs; !errors.Is(err, ErrContentLength) {
		t.Fatalf("overrunning write: %v, want ErrContentLength", err)
	}
	rc.expectClosed()

	rc = dial(t, ts.addr)
	rc.write("GET /under HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); err != io.ErrUnexpectedEOF || string(b) != "abc" {
		t.Fatalf("short body: %q, %v; want the 3 bytes and an unexpected EOF", b, err)
	}
}

// Chunks framed by the handler are checked: valid coding passes and keeps
// the connection; a malformed chunk is refused before it reaches the
// client, and the connection closes. To an HTTP/1.0 client the data goes
// out without the framing.
func TestHandlerChunkedFramingChecked(t *testing.T) {
	errs := make(chan error, 4)
	ts := startServer(t, func(req *Request) *Future {
		done := req.Loop().NewFuture()
		req.SendHeaders(Headers{{Name: "Transfer-Encoding", Value: "chunked"}}).AddCallback(func() {
			if req.URL.Path == "/bad" {
				req.Client.SendString("3\r\nabc\r\n")
				f := req.Client.SendString("zz\r\nnot hex\r\n")
				f.AddCallback(func() { errs <- f.Err(); done.Complete() })
				return
			}
			req.Client.SendString("3\r\nabc\r\n")
			req.Client.SendString("2\r\nde\r\n0\r\n\r\n").AddCallback(done.Complete)
		})
		return done
	})
	rc := dial(t, ts.addr)
	rc.write("GET /good HTTP/1.1\r\nHost: x\r\n\r\nGET /good HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := 0; i < 2; i++ {
		if got := bodyOf(t, rc.response("GET")); got != "abcde" {
			t.Fatalf("chunked body %d: %q", i, got)
		}
	}
	rc = dial(t, ts.addr)
	rc.write("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); err == nil || string(b) != "abc" {
		t.Fatalf("bad chunks: %q, %v; want the valid chunk and an error", b, err)
	}
	if err := <-errs; !errors.Is(err, ErrChunked) {
		t.Fatalf("malformed chunk: %v, want ErrChunked", err)
	}
	rc = dial(t, ts.addr)
	rc.write("GET /good HTTP/1.0\r\n\r\n")
	resp = rc.response("GET")
	if got := bodyOf(t, resp); got != "abcde" || len(resp.TransferEncoding) != 0 || !resp.Close {
		t.Fatalf("HTTP/1.0: %q, coding %v, close %v", got, resp.TransferEncoding, resp.Close)
	}
}

// The Client's loop-only methods refuse loudly from another goroutine (the
// bug: Client.Send from a goroutine silently corrupted the stream), and so
// do SleepAsync and AddCallback; Respond, NewFuture and Complete work from
// anywhere.
func TestOffLoopUseRefusesLoudly(t *testing.T) {
	type outcome struct {
		name  string
		panic any
	}
	results := make(chan outcome, 8)
	ts := startServer(t, func(req *Request) *Future {
		f := req.Loop().NewFuture()
		req.SendHeaders(Headers{{Name: "Content-Length", Value: "2"}}).AddCallback(func() {
			go func() {
				try := func(name string, fn func()) {
					defer func() { results <- outcome{name, recover()} }()
					fn()
				}
				try("Client.Send", func() { req.Client.SendString("no") })
				try("SleepAsync", func() { req.Loop().SleepAsync(time.Millisecond) })
				try("AddCallback", func() { f.AddCallback(func() {}) })
				g := req.Loop().NewFuture() // safe anywhere
				sent := make(chan struct{})
				req.Loop().Post(func() {
					req.Client.SendString("ok").AddCallback(func() { g.Complete(); close(sent) })
				})
				<-sent
				if !g.Finished() { // safe anywhere too
					t.Errorf("Future.Finished off the loop: pending after Complete")
				}
				f.Complete() // from a goroutine: posted to the loop
			}()
		})
		return f
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := bodyOf(t, rc.response("GET")); got != "ok" {
		t.Fatalf("body %q", got)
	}
	for i := 0; i < 3; i++ {
		o := <-results
		msg, _ := o.panic.(string)
		if !strings.Contains(msg, "goroutine other than its loop's") {
			t.Errorf("%s off the loop: panic %v, want a refusal", o.name, o.panic)
		}
	}
}

// Respond from a goroutine and SendStatus on the loop race for the same
// request: exactly one wins, the other gets ErrResponded, and the response
// on the wire is the winner's, whole.
func TestOneClaimForEveryKindOfResponse(t *testing.T) {
	type result struct{ respond, send error }
	results := make(chan result, 64)
	ts := startServer(t, func(req *Request) *Future {
		var r result
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.respond = req.Respond(200, "by Respond", nil).Err()
		}()
		sf := req.SendStatus(200, Headers{{Name: "Content-Length", Value: "7"}})
		r.send = sf.Err()
		done := req.Loop().NewFuture()
		sf.AddCallback(func() {
			if !sf.Failed() {
				req.Client.SendString("by Send")
			}
			go func() { wg.Wait(); results <- r; done.Complete() }()
		})
		return done
	})
	rc := dial(t, ts.addr)
	for i := 0; i < 50; i++ {
		rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		body := bodyOf(t, rc.response("GET"))
		r := <-results
		switch {
		case r.respond == nil && errors.Is(r.send, ErrResponded) && body == "by Respond":
		case r.send == nil && errors.Is(r.respond, ErrResponded) && body == "by Send":
		default:
			t.Fatalf("round %d: Respond %v, SendStatus %v, body %q", i, r.respond, r.send, body)
		}
	}
}

// URL.Path is decoded as net/url decodes it, with the raw form kept in
// RawPath when re-encoding would not restore it.
func TestURLPathDecoded(t *testing.T) {
	got := make(chan URL, 4)
	ts := startServer(t, func(req *Request) *Future {
		got <- req.URL
		return req.Respond(200, "", nil)
	})
	rc := dial(t, ts.addr)
	for _, c := range []struct{ target, path, raw, escaped string }{
		{"/users/%31", "/users/1", "/users/%31", "/users/%31"},
		{"/a%2Fb?x=%20", "/a/b", "/a%2Fb", "/a%2Fb"},
		{"/a%20b", "/a b", "", "/a%20b"},
		{"/plain", "/plain", "", "/plain"},
		{"/a(b)!", "/a(b)!", "/a(b)!", "/a(b)!"}, // net/url would escape them: it keeps the path as sent
		{"/a$b@c", "/a$b@c", "", "/a$b@c"},
	} {
		rc.write("GET " + c.target + " HTTP/1.1\r\nHost: x\r\n\r\n")
		rc.response("GET")
		u := <-got
		if u.Path != c.path || u.RawPath != c.raw || u.EscapedPath() != c.escaped {
			t.Errorf("%s: Path %q RawPath %q EscapedPath %q; want %q %q %q",
				c.target, u.Path, u.RawPath, u.EscapedPath(), c.path, c.raw, c.escaped)
		}
	}
}

// All waits for several servers at once, and a server that cannot listen
// fails it at once (the bug: the second server's bind error surfaced only
// after the first one stopped).
func TestAllSurfacesABindErrorAtOnce(t *testing.T) {
	l, err := NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	first := New(OnLoop(l), ReuseAddr(false))
	second := New(OnLoop(l), ReuseAddr(false))
	if err := first.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	a := first.Serve(0, hello, "")
	b := second.Serve(first.Port(), hello, "127.0.0.1")
	errc := make(chan error, 1)
	go func() { errc <- l.WaitFor(All(a, b)) }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "listen") {
			t.Fatalf("All: %v, want the second server's listen error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("All did not fail while the first server runs")
	}
	first.Close()
	if err := l.WaitFor(a); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a log destination safe for the loop and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A handler that returns nil (promising to answer later) and then drops
// the request is noticed: when the garbage collector finds the request
// unreachable it is logged, once, with its method and path, and answered
// 500, instead of holding its keep-alive connection forever.
func TestDroppedRequestIsLoggedAndAnswered(t *testing.T) {
	var logs syncBuffer
	ts := startServer(t, func(req *Request) *Future {
		if req.URL.Path == "/dropped" {
			return nil // and nothing keeps req
		}
		return hello(req)
	}, Logger(slog.New(slog.NewTextHandler(&logs, nil))))
	rc := dial(t, ts.addr)
	rc.write("GET /dropped HTTP/1.1\r\nHost: x\r\n\r\n")
	// Requests are carved from slabs: move the server past this one's, so
	// that nothing but the dropped request could keep it alive.
	other := dial(t, ts.addr)
	for i := 0; i < 2*requestsPerSlab; i++ {
		other.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		other.response("GET")
	}
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.ReadResponse(rc.br, nil)
		if err == nil {
			answered <- resp
		}
	}()
	deadline := time.After(20 * time.Second)
	for {
		runtime.GC()
		select {
		case resp := <-answered:
			if resp.StatusCode != 500 {
				t.Fatalf("dropped request answered %d, want 500", resp.StatusCode)
			}
			if l := logs.String(); strings.Count(l, "dropped the request") != 1 || !strings.Contains(l, "path=/dropped") || !strings.Contains(l, "method=GET") {
				t.Fatalf("log: %q", l)
			}
			return
		case <-deadline:
			t.Fatal("a dropped request was never answered")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// The handler of an upgrade request may write before its 101 has gone
// out: the bytes follow the 101, never precede it. Recv on a request that
// did not ask to upgrade is refused.
func TestUpgradeEarlyBytesFollowThe101(t *testing.T) {
	recvErr := make(chan error, 1)
	ts := startServer(t, func(req *Request) *Future {
		if req.Headers.Get("Upgrade") == "" {
			f := req.Client.Recv(make([]byte, 8))
			recvErr <- f.Err()
			return req.Respond(200, "plain", nil)
		}
		req.Respond(101, "", Headers{{Name: "Upgrade", Value: "echo"}, {Name: "Connection", Value: "Upgrade"}})
		req.Client.SendString("hello after 101")
		req.Client.Close()
		return nil
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rc.response("GET")
	if err := <-recvErr; !errors.Is(err, ErrNotUpgraded) {
		t.Fatalf("Recv without an upgrade: %v", err)
	}
	rc = dial(t, ts.addr)
	rc.write("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 101 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got, err := io.ReadAll(rc.br)
	if err != nil || string(got) != "hello after 101" {
		t.Fatalf("after the 101: %q, %v", got, err)
	}
}

// A hijacked connection is the handler's: no response from the server,
// the bytes sent past the request come first, and Send writes as is.
func TestHijack(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		if err := req.Hijack(); err != nil {
			return req.Respond(500, err.Error(), nil)
		}
		buf := make([]byte, 64)
		f := req.Client.Recv(buf)
		f.AddCallback(func() {
			n, _ := f.Read()
			req.Client.SendString("tunnel got " + string(buf[:n]))
			req.Client.Close()
		})
		return nil
	})
	rc := dial(t, ts.addr)
	rc.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nping")
	got, err := io.ReadAll(rc.br)
	if err != nil || string(got) != "tunnel got ping" {
		t.Fatalf("hijacked: %q, %v", got, err)
	}
}
