package bridge

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"

	"asynchttpserver.dev/server"
)

// served is the application served through the bridge on a loop of its
// own, until the test ends.
type served struct {
	srv  *server.Server
	url  string
	done chan error
}

func serve(t *testing.T, h http.Handler, opts ...server.BridgeOption) *served {
	t.Helper()
	l, err := server.NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	b := server.NewBridge(h, opts...)
	srv := server.New(server.OnLoop(l), server.StreamBodies(b.StreamBody), server.ShutdownGrace(5*time.Second))
	if err := srv.Listen(0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	s := &served{srv: srv, url: fmt.Sprintf("http://127.0.0.1:%d", srv.Port()), done: make(chan error, 1)}
	serving := srv.Serve(0, b.Serve, "")
	go func() { s.done <- l.WaitFor(serving) }()
	t.Cleanup(func() {
		s.stop(t)
		l.Close()
	})
	return s
}

func (s *served) stop(t *testing.T) {
	if s.done == nil {
		return
	}
	s.srv.Close()
	if err := <-s.done; err != nil {
		t.Error(err)
	}
	s.done = nil
}

// checkRoutes drives the application's routes as a client would, and
// fails where an answer is not the one the application gives under
// net/http. It runs against net/http's own server too, which shows that
// the expectations are the application's, not the bridge's.
func checkRoutes(t *testing.T, base string, streaming bool) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer c.CloseIdleConnections()
	do := func(method, path, body string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body == "" {
			req.Body = nil
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: body: %v", method, path, err)
		}
		return resp, string(b)
	}
	expect := func(resp *http.Response, body string, code int, want string) {
		t.Helper()
		if resp.StatusCode != code || (want != "" && !strings.Contains(body, want)) {
			t.Fatalf("%s %s: %d %q, want %d and %q", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body, code, want)
		}
		if resp.Header.Get("X-Powered-By") != "chi on asynchttpserver" {
			t.Fatalf("%s: the application's middleware did not run", resp.Request.URL.Path)
		}
	}

	resp, body := do("GET", "/", "")
	expect(resp, body, 200, "hello from chi, request ")
	resp, body = do("POST", "/users", `{"name":"ada"}`, "Content-Type", "application/json")
	expect(resp, body, 201, `{"id":1,"name":"ada"}`)
	if loc := resp.Header.Get("Location"); loc != "/users/1" {
		t.Fatalf("Location %q", loc)
	}
	resp, body = do("POST", "/users", `{"name":"grace"}`)
	expect(resp, body, 201, `"id":2`)
	resp, body = do("POST", "/users", `not json`)
	expect(resp, body, 400, "want")
	resp, body = do("GET", "/users/2", "")
	expect(resp, body, 200, `{"id":2,"name":"grace"}`)
	resp, body = do("GET", "/users", "")
	expect(resp, body, 200, `[{"id":1,"name":"ada"},{"id":2,"name":"grace"}]`)
	resp, body = do("DELETE", "/users/1", "")
	expect(resp, body, 204, "")
	resp, body = do("GET", "/users/1", "")
	expect(resp, body, 404, "not found")
	resp, body = do("GET", "/users/abc", "") // the pattern wants digits
	expect(resp, body, 404, "")
	resp, body = do("PUT", "/users/2", "{}")
	expect(resp, body, 405, "")
	resp, body = do("GET", "/files/a/b%20c/d.txt", "")
	expect(resp, body, 200, `file "a/b c/d.txt"`)
	resp, body = do("GET", "/admin/stats/cpu", "")
	expect(resp, body, 200, "stats of cpu at /admin/stats/cpu")
	resp, body = do("GET", "/admin", "")
	expect(resp, body, 200, "admin home")

	resp, body = do("GET", "/big", "", "Accept-Encoding", "gzip")
	expect(resp, body, 200, "")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/big: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !strings.HasSuffix(string(plain), "line 1999 of a body gzip makes small\n") || len(body) > len(plain)/10 {
		t.Fatalf("/big: %d gzip bytes for %d, %v", len(body), len(plain), err)
	}

	if streaming {
		resp, body = do("GET", "/events?n=5", "")
		expect(resp, body, 200, "id: 4\ndata: tick 4\n\n")
		if resp.Header.Get("Content-Type") != "text/event-stream" || len(resp.TransferEncoding) == 0 {
			t.Fatalf("/events: %v %v", resp.Header, resp.TransferEncoding)
		}
	}
}

// chi's routing, sub-routers, mounts, middleware (request IDs, gzip) and the application's API answer through the bridge as under
// net/http: in goroutines, and inline (the routes that do not block).
func TestChiRoutesThroughTheBridge(t *testing.T) {
	t.Run("net/http", func(t *testing.T) {
		ts := httptest.NewServer(App())
		defer ts.Close()
		checkRoutes(t, ts.URL, true)
	})
	t.Run("bridge", func(t *testing.T) {
		checkRoutes(t, serve(t, App()).url, true)
	})
	t.Run("bridge inline", func(t *testing.T) {
		checkRoutes(t, serve(t, App(), server.Inline()).url, false)
	})
}

// A real WebSocket library, gorilla/websocket, echoes through the
// connection the Hijacker hands over: messages of every size, from many
// clients at once; when the server closes, each client gets a close
// frame, 1001 going away, sent by the handler when its request's context
// is cancelled.
func TestGorillaEchoThroughHijacker(t *testing.T) {
	s := serve(t, App())
	url := strings.Replace(s.url, "http", "ws", 1) + "/ws/gorilla"
	const clients = 20
	conns := make([]*gorilla.Conn, clients)
	for i := range conns {
		c, _, err := gorilla.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, size := range []int{0, 1, 125, 126, 65535, 65536, 300000} {
			msg := strings.Repeat(string(rune('a'+i)), size)
			typ := gorilla.TextMessage
			if size%2 == 1 {
				typ = gorilla.BinaryMessage
			}
			if err := c.WriteMessage(typ, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			gotType, got, err := c.ReadMessage()
			if err != nil || gotType != typ || string(got) != msg {
				t.Fatalf("client %d, %d bytes: type %d, %d bytes, %v", i, size, gotType, len(got), err)
			}
		}
		conns[i] = c
	}
	s.srv.Close()
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := c.ReadMessage()
		if !gorilla.IsCloseError(err, gorilla.CloseGoingAway) {
			t.Fatalf("client %d at the server's close: %v, want close 1001", i, err)
		}
	}
	s.stop(t)
}

// coder/websocket, which sends its 101 with WriteHeader and then hijacks
// (relying on net/http to flush the head then), echoes too, and closes
// cleanly from either side.
func TestCoderWebsocketEcho(t *testing.T) {
	s := serve(t, App())
	url := strings.Replace(s.url, "http", "ws", 1) + "/ws/coder"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := coder.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	c.SetReadLimit(1 << 20)
	for i := 0; i < 50; i++ {
		typ := coder.MessageText
		if i%2 == 1 {
			typ = coder.MessageBinary
		}
		msg := strings.Repeat(fmt.Sprint(i%10), i*1000)
		if err := c.Write(ctx, typ, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		gotType, got, err := c.Read(ctx)
		if err != nil || gotType != typ || string(got) != msg {
			t.Fatalf("message %d: %v, %d bytes, %v", i, gotType, len(got), err)
		}
	}
	// The server closes, with a reason.
	if err := c.Write(ctx, coder.MessageText, []byte("close:bye")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); coder.CloseStatus(err) != coder.StatusNormalClosure {
		t.Fatalf("server-side close: %v", err)
	}

	// The client closes.
	c, _, err = coder.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, coder.MessageText, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != "ping" {
		t.Fatalf("%q, %v", got, err)
	}
	if err := c.Close(coder.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("client-side close: %v", err)
	}
}

// The WebSocket routes refuse what is not a WebSocket handshake, as the
// libraries do under net/http.
func TestWebSocketRoutesRefusePlainRequests(t *testing.T) {
	s := serve(t, App())
	for _, path := range []string{"/ws/gorilla", "/ws/coder"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil || resp.StatusCode < 400 {
			t.Fatalf("%s without a handshake: %v, %v", path, resp, err)
		}
	}
}
