package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// echoHijacked hijacks the connection and echoes each line upper-cased
// until the client closes; the bytes the client sent right after the
// request are the first it reads (net/http's
// TestServerHijackGetsBackgroundByte).
func echoHijacked(w http.ResponseWriter, r *http.Request) {
	conn, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	serveEcho(conn, brw)
}

func serveEcho(conn net.Conn, brw *bufio.ReadWriter) {
	defer conn.Close()
	for {
		line, err := brw.ReadString('\n')
		if err != nil {
			return
		}
		brw.WriteString(strings.ToUpper(line))
		if brw.Flush() != nil {
			return
		}
	}
}

func TestBridgeHijackEchoes(t *testing.T) {
	for _, m := range []bridgeMode{goroutineMode} {
		t.Run(m.name, func(t *testing.T) {
			ts := startBridge(t, http.HandlerFunc(echoHijacked), m.opts)
			rc := dial(t, ts.addr)
			rc.write(get("/") + "sent with the request\n")
			if line, err := rc.br.ReadString('\n'); line != "SENT WITH THE REQUEST\n" {
				t.Fatalf("%q, %v", line, err)
			}
			for i := 0; i < 100; i++ {
				rc.write("line " + strings.Repeat("x", i*100) + "\n")
				if line, err := rc.br.ReadString('\n'); line != "LINE "+strings.Repeat("X", i*100)+"\n" {
					t.Fatalf("echo %d: %.40q, %v", i, line, err)
				}
			}
			rc.c.(*net.TCPConn).CloseWrite()
			rc.expectClosed()
		})
	}
}

// An inline handler hijacks on the loop and hands the connection to a
// goroutine of its own, where reads and writes may wait.
func TestBridgeHijackInline(t *testing.T) {
	hijacked := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := conn.Read(make([]byte, 1)); err == nil || !strings.Contains(err.Error(), "on the loop") {
			t.Errorf("a read on the loop with nothing to read: %v", err)
		}
		close(hijacked)
		go serveEcho(conn, brw)
	})
	ts := startBridge(t, h, inlineMode.opts)
	rc := dial(t, ts.addr)
	rc.write(get("/"))
	<-hijacked
	rc.write("hello\n")
	if line, err := rc.br.ReadString('\n'); line != "HELLO\n" {
		t.Fatalf("%q, %v", line, err)
	}
}

// A status set before Hijack goes out first, as net/http flushes it:
// the 101 of a WebSocket library that calls WriteHeader, then Hijack.
func TestBridgeHijackAfterWriteHeader(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			w.Header().Set("Upgrade", "echo")
			w.Header().Set("Connection", "Upgrade")
			w.WriteHeader(http.StatusSwitchingProtocols)
		} else {
			w.Header().Set("X-Tunnel", "yes")
			w.WriteHeader(http.StatusOK)
		}
		echoHijacked(w, r)
	})
	{
		ts := startBridge(t, h, nil)
		rc := dial(t, ts.addr)
		rc.write(get("/ws", "Connection: Upgrade\r\n", "Upgrade: echo\r\n") + "up\n")
		resp, err := http.ReadResponse(rc.br, nil)
		if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
			t.Fatalf("upgrade: %v, %v", resp, err)
		}
		if line, _ := rc.br.ReadString('\n'); line != "UP\n" {
			t.Fatalf("after 101: %q", line)
		}

		rc = dial(t, ts.addr)
		rc.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\ntunnel\n")
		line, _ := rc.br.ReadString('\n')
		if line != "HTTP/1.1 200 OK\r\n" {
			t.Fatalf("tunnel: %q", line)
		}
		head, _ := rc.br.ReadString('\n')
		for l := head; l != "\r\n"; l, _ = rc.br.ReadString('\n') {
			head += l
		}
		if !strings.Contains(head, "X-Tunnel: yes") || !strings.Contains(head, "Date: ") {
			t.Fatalf("tunnel head: %q", head)
		}
		if line, _ := rc.br.ReadString('\n'); line != "TUNNEL\n" {
			t.Fatalf("through the tunnel: %q", line)
		}
	}
}

// Hijack's refusals, and the ResponseWriter after it (net/http's
// ErrHijacked).
func TestBridgeHijackRefusals(t *testing.T) {
	errs := make(chan string, 8)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj := w.(http.Hijacker)
		switch r.URL.Path {
		case "/flushed":
			io.WriteString(w, "started")
			w.(http.Flusher).Flush()
			_, _, err := hj.Hijack()
			errs <- errString(err)
		case "/twice":
			conn, _, err := hj.Hijack()
			errs <- errString(err)
			_, _, err = hj.Hijack()
			errs <- errString(err)
			_, err = w.Write([]byte("x"))
			errs <- errString(err)
			conn.Close()
		case "/pipelined":
			_, _, err := hj.Hijack()
			errs <- errString(err)
			io.WriteString(w, "not hijacked")
		default:
			io.WriteString(w, "next")
		}
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write(get("/flushed"))
	if e := <-errs; !strings.Contains(e, "after the response started") {
		t.Errorf("Hijack after Flush: %s", e)
	}
	rc = dial(t, ts.addr)
	rc.write(get("/twice"))
	if e := <-errs + " | " + <-errs + " | " + <-errs; e != "<nil> | "+http.ErrHijacked.Error()+" | "+http.ErrHijacked.Error() {
		t.Errorf("Hijack twice, then Write: %s", e)
	}
	rc = dial(t, ts.addr)
	rc.write(get("/pipelined") + get("/next"))
	if e := <-errs; e != ErrHijackPipelined.Error() {
		t.Errorf("Hijack with a request pipelined behind: %s", e)
	}
	if b := bodyOf(t, rc.response("GET")); b != "not hijacked" {
		t.Errorf("the refused hijacker's response: %q", b)
	}
	if b := bodyOf(t, rc.response("GET")); b != "next" {
		t.Errorf("the request behind: %q", b)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// Deadlines on the hijacked connection: a read past its deadline fails
// with a timeout (net.Error, os.ErrDeadlineExceeded) and the connection
// goes on under a new one; a deadline set from another goroutine wakes a
// blocked read; a write to a client that does not read fails at its
// deadline.
func TestBridgeHijackDeadlines(t *testing.T) {
	results := make(chan string, 8)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			results <- err.Error()
			return
		}
		defer conn.Close()
		buf := make([]byte, 64)
		switch r.URL.Path {
		case "/read":
			conn.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
			_, err := conn.Read(buf)
			var ne net.Error
			results <- boolString(errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded))
			conn.SetReadDeadline(time.Time{})
			conn.Write([]byte("go on\n"))
			n, err := conn.Read(buf)
			results <- string(buf[:n]) + errString(err)
		case "/wake":
			go func() {
				<-results // the test says the read is waiting
				conn.SetReadDeadline(time.Now())
			}()
			conn.Write([]byte("reading\n"))
			_, err := conn.Read(buf)
			results <- boolString(errors.Is(err, os.ErrDeadlineExceeded))
		case "/write":
			conn.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
			chunk := make([]byte, 1<<20)
			for i := 0; i < 1024; i++ {
				if _, err = conn.Write(chunk); err != nil {
					break
				}
			}
			results <- boolString(errors.Is(err, os.ErrDeadlineExceeded))
		}
	})
	ts := startBridge(t, h, nil)

	rc := dial(t, ts.addr)
	rc.write(get("/read"))
	if r := <-results; r != "true" {
		t.Fatalf("read past its deadline: timeout error %s", r)
	}
	if line, _ := rc.br.ReadString('\n'); line != "go on\n" {
		t.Fatal(line)
	}
	rc.write("more")
	if r := <-results; r != "more<nil>" {
		t.Fatalf("read after the deadline was lifted: %s", r)
	}

	rc = dial(t, ts.addr)
	rc.write(get("/wake"))
	rc.br.ReadString('\n') // the handler is about to read
	results <- "go"
	if r := <-results; r != "true" {
		t.Fatalf("a deadline set from another goroutine did not wake the read: %s", r)
	}

	rc = dial(t, ts.addr)
	rc.write(get("/write")) // and never read
	if r := <-results; r != "true" {
		t.Fatalf("writes to a client that reads nothing: deadline error %s", r)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Closing a hijacked connection sends what was written first; reads and
// writes after it fail with net.ErrClosed; LocalAddr and RemoteAddr are
// the connection's.
func TestBridgeHijackClose(t *testing.T) {
	results := make(chan string, 4)
	big := strings.Repeat("0123456789", 200000) // 2 MB: more than the kernel takes at once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		results <- conn.LocalAddr().String() + " " + conn.RemoteAddr().String()
		io.WriteString(conn, big)
		conn.Close()
		_, rerr := conn.Read(make([]byte, 1))
		_, werr := conn.Write([]byte("x"))
		results <- boolString(errors.Is(rerr, net.ErrClosed) && errors.Is(werr, net.ErrClosed))
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write(get("/"))
	if addrs := <-results; addrs != rc.c.RemoteAddr().String()+" "+rc.c.LocalAddr().String() {
		t.Fatalf("addresses %q", addrs)
	}
	got, err := io.ReadAll(rc.br)
	if err != nil || string(got) != big {
		t.Fatalf("read %d of %d bytes before EOF: %v", len(got), len(big), err)
	}
	if r := <-results; r != "true" {
		t.Fatal("read and write after Close: not net.ErrClosed")
	}
}

// A hijacked connection stays counted and is closed when the server
// shuts down, after ShutdownGrace.
func TestBridgeHijackedClosedAtShutdown(t *testing.T) {
	hijacked := make(chan net.Conn, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		hijacked <- conn
		conn.Read(make([]byte, 1)) // until the server closes it
	})
	ts := startBridge(t, h, nil, ShutdownGrace(50*time.Millisecond))
	rc := dial(t, ts.addr)
	rc.write(get("/"))
	<-hijacked
	ts.Close()
	rc.expectClosed()
}
