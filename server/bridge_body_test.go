package server

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sumBody answers with the length and SHA-256 of the request body.
func sumBody(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	fmt.Fprintf(w, "%d %x %v", n, h.Sum(nil), err)
}

// chunk frames s as chunked coding, in pieces of size n, with the last
// chunk.
func chunk(s string, n int) string {
	var b strings.Builder
	for len(s) > 0 {
		k := min(n, len(s))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", k, s[:k])
		s = s[k:]
	}
	return b.String() + "0\r\n\r\n"
}

// Request bodies, small and large, with a Content-Length or chunked, reach
// the handler whole and in order, and the connection goes on after them.
func TestBridgeReadsBodiesAsNetHTTP(t *testing.T) {
	big := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 30000) // ~1 MB
	cases := map[string]string{
		"small length":   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"large length":   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big,
		"small chunked":  "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("hello", 2),
		"large chunked":  "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(big, 7000),
		"empty chunked":  "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"chunk trailers": "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-A\r\n\r\n" + strings.TrimSuffix(chunk("data", 4), "\r\n") + "X-A: 1\r\n\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			compareWithNetHTTP(t, http.HandlerFunc(sumBody), []bridgeMode{goroutineMode}, raw, "POST", 1)
		})
	}
	// Inline handlers get bodies whole (the bridge streams none to them).
	t.Run("inline", func(t *testing.T) {
		for _, name := range []string{"small length", "large length", "large chunked"} {
			compareWithNetHTTP(t, http.HandlerFunc(sumBody), []bridgeMode{inlineMode}, cases[name], "POST", 1)
		}
	})
}

// A body the handler leaves unread is read and dropped after it, up to
// 256 KiB, so that the connection can serve the next request; a larger
// one closes the connection (net/http's maxPostHandlerReadBytes).
func TestBridgeDrainsUnreadBodiesAsNetHTTP(t *testing.T) {
	ignore := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ignored") })
	for _, n := range []int{10 << 10, 100 << 10, 1 << 20} {
		raw := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n" + strings.Repeat("z", n)
		out := compareWithNetHTTP(t, ignore, []bridgeMode{goroutineMode}, raw, "POST", 1)
		if kept := n < 256<<10; out[0].KeptAlive != kept {
			t.Errorf("%d bytes unread: kept alive %v", n, out[0].KeptAlive)
		}
	}
}

// Expect: 100-continue. The client is told to go on when the handler
// first reads the body, not before; a handler that answers without
// reading never invites it, and the connection closes after the answer;
// a handler that starts its response before reading sends no 100 after it
// (it would land inside the response). net/http's TestServerExpect.
func TestBridgeContinuesOnFirstBodyRead(t *testing.T) {
	read := http.HandlerFunc(sumBody)
	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no thanks", http.StatusExpectationFailed)
	})
	respondFirst := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%q %v", b, err)
	})
	for _, srv := range []struct {
		name string
		addr func(http.Handler) string
	}{
		{"net/http", func(h http.Handler) string { return startNetHTTP(t, h) }},
		{"bridge", func(h http.Handler) string { return startBridge(t, h, nil).addr }},
	} {
		t.Run(srv.name, func(t *testing.T) {
			head := "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"

			rc := dial(t, srv.addr(read))
			rc.write(head)
			if line, _ := rc.br.ReadString('\n'); line != "HTTP/1.1 100 Continue\r\n" {
				t.Fatalf("reading handler: first line %q, want 100 Continue", line)
			}
			if line, _ := rc.br.ReadString('\n'); line != "\r\n" {
				t.Fatalf("after 100 Continue: %q", line)
			}
			rc.write("hello")
			if resp := rc.response("POST"); !strings.HasPrefix(bodyOf(t, resp), "5 2cf24dba") {
				t.Fatalf("reading handler: %d", resp.StatusCode)
			}

			rc = dial(t, srv.addr(refuse))
			rc.write(head)
			if resp := rc.response("POST"); resp.StatusCode != http.StatusExpectationFailed {
				t.Fatalf("refusing handler: %d, want 417 and no 100 before it", resp.StatusCode)
			}
			if srv.name == "bridge" {
				rc.expectClosed() // the body it did not want is not read
			}

			rc = dial(t, srv.addr(respondFirst))
			rc.write(head)
			resp, err := http.ReadResponse(rc.br, &http.Request{Method: "POST"})
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("responding handler: %v, %v (a 100 Continue after the response started?)", resp, err)
			}
			rc.write("hello") // sent without an invitation, as a client gives up waiting
			if b, err := io.ReadAll(resp.Body); err != nil || string(b) != `"hello" <nil>` {
				t.Fatalf("responding handler's body: %q, %v", b, err)
			}
		})
	}
}

// http.MaxBytesReader: the handler's read fails with *http.MaxBytesError
// past its limit, and the handler's answer reaches a client that is still
// sending (the rest of a large body is neither needed nor buffered).
func TestBridgeMaxBytesReader(t *testing.T) {
	limited := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 100))
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) || mbe.Limit != 100 {
			http.Error(w, fmt.Sprintf("err %v", err), http.StatusInternalServerError)
			return
		}
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	})
	raw := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + strings.Repeat("m", 1000)
	// net/http closes the connection after a MaxBytesReader's limit (it
	// is told through an unexported method); the bridge, which has read
	// the small body whole, keeps it.
	compareExcept(t, limited, []bridgeMode{goroutineMode}, raw, "POST", 1, func(o *outcome) { o.KeptAlive = false })

	// A 1 GiB upload: the handler answers after 100 bytes, and the client
	// reads the answer having sent only a little of it.
	for _, m := range []bridgeMode{goroutineMode} {
		ts := startBridge(t, limited, m.opts)
		rc := dial(t, ts.addr)
		rc.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n" + strings.Repeat("m", 64<<10))
		if resp := rc.response("POST"); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: %d, want 413", m.name, resp.StatusCode)
		}
	}
}

// The bridge's BodyLimit replaces MaxBody for streamed bodies; bodies
// past the limit fail the handler's reads and are answered 413.
func TestBridgeBodyLimit(t *testing.T) {
	ts := startBridge(t, http.HandlerFunc(sumBody), []BridgeOption{BodyLimit(-1)}, MaxBody(1<<10))
	big := strings.Repeat("b", 100<<10)
	rc := dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(big, 10000))
	if b := bodyOf(t, rc.response("POST")); !strings.HasPrefix(b, "102400 ") {
		t.Fatalf("unlimited body: %q", b)
	}

	ts = startBridge(t, http.HandlerFunc(sumBody), []BridgeOption{BodyLimit(50 << 10)})
	rc = dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(big, 10000))
	if resp := rc.response("POST"); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("body past BodyLimit: %d, want 413", resp.StatusCode)
	}
}

// ResponseController's read deadline: a body read still waiting for the
// client when it passes fails with os.ErrDeadlineExceeded, and a read
// under a later deadline takes what arrives.
func TestBridgeReadDeadline(t *testing.T) {
	got := make(chan string, 4)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		buf := make([]byte, 10)
		n, err := r.Body.Read(buf)
		got <- fmt.Sprintf("%d %v", n, err)
		rc.SetReadDeadline(time.Time{})
		b, err := io.ReadAll(r.Body)
		got <- fmt.Sprintf("%q %v", b, err)
		io.WriteString(w, "done")
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	if s := <-got; s != "0 i/o timeout" {
		t.Fatalf("read past its deadline: %s", s)
	}
	rc.write(strings.Repeat("r", 100000))
	if s := <-got; !strings.HasPrefix(s, `"rrrrr`) || !strings.HasSuffix(s, " <nil>") {
		t.Fatalf("read after the deadline was lifted: %.40s", s)
	}
	if b := bodyOf(t, rc.response("POST")); b != "done" {
		t.Fatal(b)
	}
}

// A body streamed to the handler arrives at the client's pace and in
// bounded memory: the server reads a window ahead of the handler, so a
// handler that reads slowly holds the client back (flow control).
func TestBridgeBodyFlowControl(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		sumBody(w, r)
	})
	ts := startBridge(t, h, []BridgeOption{BodyLimit(-1)})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 64 << 20
	io.WriteString(c, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
	<-started
	// While the handler does not read, the client can send only what the
	// kernel's buffers and the server's window hold: far less than 64 MiB.
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	chunk := make([]byte, 1<<20)
	sent := 0
	for sent < size {
		n, err := c.Write(chunk)
		sent += n
		if err != nil {
			break
		}
	}
	if sent >= size {
		t.Fatalf("the whole %d-byte body was taken while the handler read nothing", size)
	}
	close(release)
	c.SetWriteDeadline(time.Time{})
	for sent < size {
		n, err := c.Write(chunk[:min(len(chunk), size-sent)])
		if err != nil {
			t.Fatal(err)
		}
		sent += n
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b := bodyOf(t, resp); !strings.HasPrefix(b, strconv.Itoa(size)+" ") {
		t.Fatal(b)
	}
}
