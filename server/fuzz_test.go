package server

import (
	"bufio"
	"errors"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// FuzzServer writes arbitrary bytes, cut at arbitrary points, into a live
// connection, shuts the client's write side, and checks that the server
// either answers with well-formed responses or closes, within a bound, and
// that it is still alive afterwards. The handler answers 200 with an empty
// body, so that every response has the same framing whatever the method.
func FuzzServer(f *testing.F) {
	seeds := []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x85",
		"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nPROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff garbage",
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), int64(i))
	}
	ts := startServer(f, func(req *Request) *Future { return req.Respond(200, "", nil) },
		Logger(discardLogger()), LingerTimeout(time.Second))
	f.Fuzz(func(t *testing.T, data []byte, seed int64) {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		// Close with a reset: no TIME_WAIT on the client side, or a long
		// run exhausts the ephemeral ports (tens of thousands a minute).
		defer func() {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		go writeCut(c.(*net.TCPConn), data, seed)
		br := bufio.NewReader(c)
		for {
			if _, err := br.Peek(1); err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatal("the server neither answered nor closed within 10s")
				}
				break // EOF (or a reset after a close): the server is done
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("malformed response: %v", err)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Fatalf("response body: %v", err)
			}
			switch resp.StatusCode {
			case 100, 200, 400, 408, 413, 414, 431, 501, 505:
			default:
				t.Fatalf("unexpected status %d", resp.StatusCode)
			}
		}
		alive(t, ts)
	})
}

// writeCut writes data in random pieces, then shuts the write side.
func writeCut(c *net.TCPConn, data []byte, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	for len(data) > 0 {
		n := min(len(data), 1+rng.Intn(64))
		if _, err := c.Write(data[:n]); err != nil {
			return
		}
		data = data[n:]
	}
	c.CloseWrite()
}

// aliveConn is the fuzz worker's keep-alive liveness connection: a fresh
// connection would cost a port per input.
var aliveConn struct {
	c  net.Conn
	br *bufio.Reader
}

// alive checks that the server still serves (on a connection opened after
// the first input, and re-opened if the server ever closed it).
func alive(t *testing.T, ts *testServer) {
	for attempt := 0; attempt < 2; attempt++ {
		if aliveConn.c == nil {
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				t.Fatalf("liveness: %v", err)
			}
			aliveConn.c, aliveConn.br = c, bufio.NewReader(c)
		}
		c := aliveConn.c
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(aliveConn.br, nil)
		if err == nil && resp.StatusCode == 200 {
			return
		}
		c.Close() // closed by the idle timeout, say: try a fresh one once
		aliveConn.c = nil
	}
	t.Fatal("liveness: the server does not answer")
}
