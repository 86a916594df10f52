package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestHelloWorldWithNetHTTPClient(t *testing.T) {
	ts := startServer(t, hello)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	reused := 0
	for i := 0; i < 5; i++ {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				reused++
			}
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+ts.addr+"/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := bodyOf(t, resp); resp.StatusCode != 200 || got != "Hello World" {
			t.Fatalf("got %d %q", resp.StatusCode, got)
		}
		resp.Body.Close()
		if resp.Header.Get("Date") == "" || resp.ContentLength != 11 {
			t.Fatalf("headers: %v, Content-Length %d", resp.Header, resp.ContentLength)
		}
	}
	if reused != 4 {
		t.Fatalf("keep-alive: %d of 4 later requests reused the connection", reused)
	}
}

// RFC 9112 §9.3: HTTP/1.1 connections persist unless "close" is sent;
// HTTP/1.0 ones close unless "keep-alive" is.
func TestPersistence(t *testing.T) {
	ts := startServer(t, hello)
	cases := []struct {
		name, req   string
		closes      bool
		wantConnHdr string
	}{
		{"1.1 default keeps", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, ""},
		{"1.1 close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true, "close"},
		{"1.1 close among tokens", "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n", true, "close"},
		{"1.0 default closes", "GET / HTTP/1.0\r\n\r\n", true, "close"},
		{"1.0 keep-alive keeps", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, "keep-alive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := dial(t, ts.addr)
			rc.write(tc.req)
			resp := rc.response("GET")
			got := resp.Header.Get("Connection")
			if resp.Close { // net/http's reader turns "Connection: close" into Close
				got = "close"
			}
			if got != tc.wantConnHdr {
				t.Errorf("Connection header %q, want %q", got, tc.wantConnHdr)
			}
			if tc.closes {
				rc.expectClosed()
				return
			}
			rc.write(tc.req) // still open: a second request is served
			if resp := rc.response("GET"); resp.StatusCode != 200 {
				t.Fatalf("second request: %d", resp.StatusCode)
			}
		})
	}
}

// A handler's "Connection: close" closes the connection after its
// response (RFC 9112 §9.6).
func TestHandlerConnectionClose(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		return req.Respond(200, "bye", Headers{{"Connection", "close"}})
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("GET"); bodyOf(t, resp) != "bye" {
		t.Fatal("wrong body")
	}
	rc.expectClosed()
}

func TestRespondHeadersAndBodylessResponses(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		switch req.URL.Path {
		case "/json":
			return req.Respond(200, `{"message":"Hello World"}`, Headers{{"Content-Type", "application/json"}})
		case "/204":
			return req.Respond(204, "ignored", nil)
		case "/304":
			return req.Respond(304, "ignored", nil)
		case "/date":
			return req.Respond(200, "x", Headers{{"Date", "Thu, 01 Jan 1970 00:00:00 GMT"}})
		}
		return req.Respond(200, "Hello World", nil)
	})
	rc := dial(t, ts.addr)
	rc.write("GET /json HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := rc.response("GET")
	if resp.Header.Get("Content-Type") != "application/json" || bodyOf(t, resp) != `{"message":"Hello World"}` {
		t.Fatalf("json response: %v", resp.Header)
	}
	// RFC 9110 §9.3.2: HEAD gets GET's headers, no body.
	rc.write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp = rc.response("HEAD")
	if resp.ContentLength != 11 {
		t.Fatalf("HEAD Content-Length %d, want 11", resp.ContentLength)
	}
	// RFC 9110 §6.4.1: 204 and 304 have no body (and no Content-Length).
	for _, p := range []string{"/204", "/304"} {
		rc.write("GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n")
		resp = rc.response("GET")
		if _, has := resp.Header["Content-Length"]; has || bodyOf(t, resp) != "" {
			t.Fatalf("%s: Content-Length %v, body present", p, resp.Header["Content-Length"])
		}
	}
	// The connection is still in sync after the bodyless responses.
	rc.write("GET /date HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp = rc.response("GET"); resp.Header.Get("Date") != "Thu, 01 Jan 1970 00:00:00 GMT" || len(resp.Header["Date"]) != 1 {
		t.Fatalf("user Date header: %v", resp.Header["Date"])
	}
}

func TestRespondRefusesBadResponses(t *testing.T) {
	errs := make(chan error, 8)
	ts := startServer(t, func(req *Request) *Future {
		errs <- req.Respond(200, "x", Headers{{"X-Split", "a\r\nInjected: yes"}}).Err()
		errs <- req.Respond(200, "x", Headers{{"Bad Name", "v"}}).Err()
		errs <- req.Respond(99, "x", nil).Err()
		errs <- req.Respond(100, "x", nil).Err()
		errs <- req.Respond(200, "four", Headers{{"Content-Length", "5"}}).Err()
		errs <- req.Respond(200, "ok", nil).Err()
		errs <- req.Respond(200, "again", nil).Err()
		return nil
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("GET"); bodyOf(t, resp) != "ok" || resp.Header.Get("Injected") != "" {
		t.Fatal("a refused response leaked out")
	}
	want := []error{ErrHeader, ErrHeader, ErrStatus, ErrStatus, ErrContentLength, nil, ErrResponded}
	for i, w := range want {
		if got := <-errs; !errors.Is(got, w) {
			t.Errorf("respond %d: %v, want %v", i, got, w)
		}
	}
}

// The seed's server sets TCP_NODELAY on accepted sockets (Nim does not,
// and stalls ~40 ms per pipelined batch).
func TestAcceptedSocketsHaveNoDelay(t *testing.T) {
	got := make(chan int, 1)
	ts := startServer(t, func(req *Request) *Future {
		v := -1
		req.Client.Control(func(fd uintptr) {
			if n, err := unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY); err == nil {
				v = n
			}
		})
		got <- v
		return req.Respond(200, "", nil)
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rc.response("GET")
	if v := <-got; v == 0 || v == -1 {
		t.Fatalf("TCP_NODELAY = %d", v)
	}
}

func TestRequestFields(t *testing.T) {
	got := make(chan Request, 1)
	ts := startServer(t, func(req *Request) *Future {
		got <- *req // its fields outlive the request unchanged
		return req.Respond(200, "", nil)
	})
	rc := dial(t, ts.addr)
	rc.write("PUT /a/b%20c?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)\r\nX-Dup: 1\r\nx-dup: 2\r\nContent-Length: 4\r\n\r\nbody")
	rc.response("PUT")
	r := <-got
	if r.Method != MethodPut || r.Method.String() != "PUT" {
		t.Errorf("method %v", r.Method)
	}
	if r.URL.Path != "/a/b c" || r.URL.RawPath != "" || r.URL.EscapedPath() != "/a/b%20c" ||
		r.URL.RawQuery != "x=1&y=2" || r.URL.Query().Get("y") != "2" {
		t.Errorf("URL %+v", r.URL)
	}
	if r.Protocol != (Protocol{"HTTP/1.1", 1, 1}) {
		t.Errorf("protocol %+v", r.Protocol)
	}
	if r.Hostname != "127.0.0.1" {
		t.Errorf("hostname %q (want the client's IP, as Nim)", r.Hostname)
	}
	// Nim splits User-Agent at its commas (nim-lang/Nim#11757); we do not.
	if ua := r.Headers.Get("user-agent"); !strings.HasSuffix(ua, "(KHTML, like Gecko)") {
		t.Errorf("User-Agent %q", ua)
	}
	if vs := r.Headers.Values("X-DUP"); len(vs) != 2 || vs[0] != "1" || vs[1] != "2" {
		t.Errorf("repeated field values %q", vs)
	}
	if r.Body != "body" {
		t.Errorf("body %q", r.Body)
	}
}

func TestHandlerPanicCostsOneResponse(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		if req.URL.Path == "/panic" {
			panic("handler bug")
		}
		return req.Respond(200, "alive", nil)
	}, Logger(discardLogger()))
	rc := dial(t, ts.addr)
	rc.write("GET /panic HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 500 {
		t.Fatalf("panicking handler: %d, want 500", resp.StatusCode)
	}
	if resp := rc.response("GET"); resp.StatusCode != 200 || bodyOf(t, resp) != "alive" {
		t.Fatalf("after the panic: %d", resp.StatusCode)
	}
}

func TestHandlerFailingOrNotRespondingGets500(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		f := req.Loop().NewFuture()
		if req.URL.Path == "/fail" {
			f.Fail(errors.New("boom"))
		} else {
			f.Complete() // finished, but never answered
		}
		return f
	}, Logger(discardLogger()))
	rc := dial(t, ts.addr)
	for _, p := range []string{"/fail", "/silent"} {
		rc.write("GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := rc.response("GET"); resp.StatusCode != 500 {
			t.Fatalf("%s: %d, want 500", p, resp.StatusCode)
		}
	}
}

// TestRespondFromGoroutines answers 100 concurrent requests each from a
// goroutine of its own (run with -race).
func TestRespondFromGoroutines(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		go func() {
			if err := req.Respond(200, "from "+req.URL.Path, nil).Err(); err != nil {
				t.Errorf("Respond: %v", err)
			}
		}()
		return nil
	})
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := dial(t, ts.addr)
			path := "/" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
			for k := 0; k < 3; k++ {
				rc.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
				resp, err := http.ReadResponse(rc.br, nil)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				if string(b) != "from "+path {
					t.Errorf("got %q for %s", b, path)
				}
			}
		}()
	}
	wg.Wait()
}

func TestRespondAfterClientLeft(t *testing.T) {
	reqs := make(chan *Request, 1)
	ts := startServer(t, func(req *Request) *Future {
		reqs <- req
		return nil
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	req := <-reqs
	resetConn(rc.c)
	waitNoConnections(t, ts) // the server has seen the reset and closed
	if err := req.Respond(200, "too late", nil).Err(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Respond after the client left: %v, want ErrClosed", err)
	}
	errs := make(chan error, 1)
	req.Loop().Post(func() { errs <- req.SendHeaders(nil).Err() })
	if err := <-errs; !errors.Is(err, ErrClosed) {
		t.Fatalf("SendHeaders after the client left: %v, want ErrClosed", err)
	}
}

func TestOptionsReachTheServer(t *testing.T) {
	srv := New(ReuseAddr(false), ReusePort(true), Backlog(16), MaxBody(1000), MaxHeadBytes(2000),
		MaxHeaders(5), MaxTargetLen(300), HeaderTimeout(time.Second), BodyTimeout(2*time.Second),
		IdleTimeout(3*time.Second), WriteTimeout(4*time.Second), HandlerTimeout(5*time.Second),
		MaxOutput(6000), MaxConnections(7), AssumedDescriptorsPerRequest(8), ShutdownGrace(9*time.Second),
		LingerTimeout(10*time.Second))
	c := srv.cfg
	if c.reuseAddr || !c.reusePort || c.backlog != 16 || c.maxConns != 7 || c.assumedPerRequest != 8 || c.shutdownGrace != 9*time.Second {
		t.Fatalf("listener options: %+v", c)
	}
	l := c.conn.Limits
	if l.MaxBody != 1000 || l.MaxHeadBytes != 2000 || l.MaxHeaders != 5 || l.MaxTargetLen != 300 {
		t.Fatalf("limits: %+v", l)
	}
	cc := c.conn
	if cc.HeaderTimeout != time.Second || cc.BodyTimeout != 2*time.Second || cc.IdleTimeout != 3*time.Second ||
		cc.WriteTimeout != 4*time.Second || cc.HandlerTimeout != 5*time.Second || cc.MaxOutput != 6000 || cc.LingerTimeout != 10*time.Second {
		t.Fatalf("connection options: %+v", cc)
	}
}
