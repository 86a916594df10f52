package server

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pattern is a deterministic byte stream of any length, cheap to check.
type pattern struct{ off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 2654435761 >> 13)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func patternSum(n int64) string {
	h := sha256.New()
	io.CopyN(h, &pattern{}, n)
	return hex.EncodeToString(h.Sum(nil))
}

// streamServer serves /loop (written on the loop, chained on each write's
// future), /goroutine (an io.Writer in a goroutine) and /file; ?n= bytes,
// &cl=1 to declare the length.
func streamServer(t *testing.T, file *os.File, opts ...Option) *testServer {
	return startServer(t, func(req *Request) *Future {
		n, _ := strconv.ParseInt(req.URL.Query().Get("n"), 10, 64)
		var h Headers
		if req.URL.Query().Get("cl") == "1" {
			h = NewHeaders("Content-Length", strconv.FormatInt(n, 10))
		}
		if req.URL.Path == "/file" {
			return req.RespondFile(200, nil, file)
		}
		s, err := req.Stream(200, h)
		if err != nil {
			return req.Loop().Failed(err)
		}
		done := req.Loop().NewFuture()
		switch req.URL.Path {
		case "/loop":
			src := &pattern{}
			buf := make([]byte, 64<<10)
			var pump func()
			pump = func() {
				if n == 0 {
					s.End(nil)
					done.Complete()
					return
				}
				k := min(int64(len(buf)), n)
				src.Read(buf[:k])
				n -= k
				f := s.Send(buf[:k])
				f.AddCallback(func() {
					if f.Failed() {
						done.Complete()
						return
					}
					pump()
				})
			}
			pump()
		case "/goroutine":
			go func() {
				io.CopyN(s, &pattern{}, n)
				s.Close()
				done.Complete()
			}()
		}
		return done
	}, opts...)
}

func getSum(t *testing.T, url string) (string, int64, *http.Response) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, resp
}

// 200 MB streamed bodies arrive whole and in order, chunked and with a
// Content-Length, written on the loop and from a goroutine.
func TestLargeStreamsArriveWhole(t *testing.T) {
	size := 200 << 20
	if raceEnabled {
		size = 20 << 20 // the race detector makes every byte slow
	}
	ts := streamServer(t, nil)
	want := patternSum(int64(size))
	for _, path := range []string{"/loop", "/goroutine", "/loop?cl=1", "/goroutine?cl=1"} {
		url := fmt.Sprintf("http://%s%s", ts.addr, path)
		if strings.Contains(path, "?") {
			url += "&n=" + strconv.Itoa(size)
		} else {
			url += "?n=" + strconv.Itoa(size)
		}
		sum, n, resp := getSum(t, url)
		size := int64(size)
		chunked := len(resp.TransferEncoding) > 0
		if sum != want || n != size || chunked == strings.Contains(path, "cl=1") {
			t.Fatalf("%s: %d bytes, sum ok %v, chunked %v", path, n, sum == want, chunked)
		}
	}
}

// A file goes out whole with sendfile, its length declared.
func TestRespondFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // after the server has stopped (cleanups run last first)
	const size = 5<<20 + 123
	io.CopyN(f, &pattern{}, size)
	ts := streamServer(t, f)
	sum, n, resp := getSum(t, "http://"+ts.addr+"/file")
	if sum != patternSum(size) || n != size || resp.ContentLength != size {
		t.Fatalf("file: %d bytes (Content-Length %d), sum ok %v", n, resp.ContentLength, sum == patternSum(size))
	}
}

// A client that stops reading a stream is cut off at WriteTimeout; the
// writer's future fails instead of the stream buffering without end.
func TestStreamToAStalledReaderHitsWriteTimeout(t *testing.T) {
	ts := streamServer(t, nil, WriteTimeout(200*time.Millisecond))
	rc := dial(t, ts.addr)
	rc.write("GET /loop?n=1000000000 HTTP/1.1\r\nHost: x\r\n\r\n")
	rc.br.Peek(1) // the response has started; now read no more
	waitNoConnections(t, ts)
}

// HEAD on a Stream carries no body; the next response parses. HTTP/1.0
// gets a body delimited by closing.
func TestStreamHeadAndHTTP10(t *testing.T) {
	ts := streamServer(t, nil)
	rc := dial(t, ts.addr)
	rc.write("HEAD /loop?n=100000 HTTP/1.1\r\nHost: x\r\n\r\nGET /loop?n=10&cl=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("HEAD"); resp.StatusCode != 200 {
		t.Fatalf("HEAD: %d", resp.StatusCode)
	}
	if resp := rc.response("GET"); bodyOf(t, resp) == "" || resp.ContentLength != 10 {
		t.Fatalf("GET after HEAD: Content-Length %d", resp.ContentLength)
	}
	rc = dial(t, ts.addr)
	rc.write("GET /goroutine?n=100000 HTTP/1.0\r\n\r\n")
	resp := rc.response("GET")
	if b := bodyOf(t, resp); len(b) != 100000 || len(resp.TransferEncoding) != 0 || !resp.Close {
		t.Fatalf("HTTP/1.0: %d bytes, coding %v, close %v", len(b), resp.TransferEncoding, resp.Close)
	}
	rc.expectClosed()
}

// A request pipelined behind a streamed response is answered after it,
// on the same connection.
func TestPipelinedRequestAfterAStream(t *testing.T) {
	ts := streamServer(t, nil)
	rc := dial(t, ts.addr)
	rc.write("GET /loop?n=300000 HTTP/1.1\r\nHost: x\r\n\r\nGET /goroutine?n=5&cl=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	if b := bodyOf(t, rc.response("GET")); len(b) != 300000 {
		t.Fatalf("first: %d bytes", len(b))
	}
	if b := bodyOf(t, rc.response("GET")); len(b) != 5 {
		t.Fatalf("second: %d bytes", len(b))
	}
}

// uploadServer streams bodies of /hash (sha256 of the body, read from a
// goroutine) and /limited (limit 1000, read on the loop); /refuse answers
// 401 without reading.
func uploadServer(t *testing.T) *testServer {
	return startServer(t, func(req *Request) *Future {
		body := req.BodyReader()
		switch req.URL.Path {
		case "/hash":
			go func() {
				h := sha256.New()
				n, err := io.Copy(h, body)
				if err != nil {
					req.Respond(500, err.Error(), nil)
					return
				}
				req.Respond(200, fmt.Sprintf("%d %x", n, h.Sum(nil)), nil)
			}()
			return nil
		case "/head-first":
			go func() { // the head goes out before the body is asked for
				s, err := req.Stream(200, NewHeaders("Content-Length", "2"))
				if err != nil {
					return
				}
				if b, err := io.ReadAll(body); err != nil || string(b) != "hello" {
					s.Close()
					return
				}
				io.WriteString(s, "ok")
				s.Close()
			}()
			return nil
		case "/limited":
			body.SetLimit(1000)
			done := req.Loop().NewFuture()
			buf := make([]byte, 512)
			total := 0
			var next func()
			next = func() {
				f := body.Recv(buf)
				f.AddCallback(func() {
					n, err := f.Read()
					switch {
					case err != nil:
						done.Complete() // the server answered 413
					case n == 0:
						req.Respond(200, strconv.Itoa(total), nil)
						done.Complete()
					default:
						total += n
						next()
					}
				})
			}
			next()
			return done
		}
		return req.Respond(401, "no", nil)
	}, StreamBodies(func(req *Request) bool { return true }), MaxBody(1<<30))
}

// A streamed upload reaches the handler whole, Content-Length or chunked;
// 100-continue is answered when the handler reads, and not when it
// refuses; a per-request limit answers 413.
func TestStreamedUploads(t *testing.T) {
	ts := uploadServer(t)
	const size = 20 << 20
	for _, chunked := range []bool{false, true} {
		var body io.Reader = io.LimitReader(&pattern{}, size)
		req, _ := http.NewRequest("POST", "http://"+ts.addr+"/hash", body)
		if !chunked {
			req.ContentLength = size
		}
		req.Header.Set("Expect", "100-continue")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := bodyOf(t, resp)
		if want := fmt.Sprintf("%d %s", size, patternSum(size)); got != want {
			t.Fatalf("chunked=%v: %q, want %q", chunked, got, want)
		}
	}

	// The client waits for 100 Continue before sending: it comes because
	// the handler reads.
	rc := dial(t, ts.addr)
	rc.write("POST /hash HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	if line, err := rc.br.ReadString('\n'); err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response: %q, %v", line, err)
	}
	rc.br.ReadString('\n')
	rc.write("hello")
	if got := bodyOf(t, rc.response("POST")); !strings.HasPrefix(got, "5 2cf24dba") {
		t.Fatalf("after 100 Continue: %q", got)
	}

	// A handler that answers before it reads gets no 100 Continue in the
	// middle of its response: the client, having waited, sends anyway.
	rc = dial(t, ts.addr)
	rc.write("POST /head-first HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	if line, err := rc.br.ReadString('\n'); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("head-first: status line %q, %v", line, err)
	}
	for line := ""; line != "\r\n"; {
		var err error
		if line, err = rc.br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	rc.write("hello")
	b := make([]byte, 2)
	if _, err := io.ReadFull(rc.br, b); err != nil || string(b) != "ok" {
		t.Fatalf("head-first: body %q, %v", b, err)
	}
	rc.write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n") // nothing stray before its answer
	if resp := rc.response("GET"); resp.StatusCode != 401 {
		t.Fatalf("after head-first: %d", resp.StatusCode)
	}

	rc = dial(t, ts.addr)
	rc.write("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
	resp := rc.response("POST") // no 100 Continue first: ReadResponse would return it
	if resp.StatusCode != 401 || !resp.Close {
		t.Fatalf("refused upload: %d close %v", resp.StatusCode, resp.Close)
	}

	rc = dial(t, ts.addr)
	rc.write("POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n" + strings.Repeat("a", 900))
	if got := bodyOf(t, rc.response("POST")); got != "900" {
		t.Fatalf("under the limit: %q", got)
	}
	rc.write("POST /limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	for i := 0; i < 3; i++ {
		rc.write("200\r\n" + strings.Repeat("b", 512) + "\r\n")
	}
	if resp := rc.response("POST"); resp.StatusCode != 413 {
		t.Fatalf("over the limit: %d", resp.StatusCode)
	}
}

// An SSE-style handler learns that its client went away, without writing,
// well within a second.
func TestDisconnectNoticedWithoutAWrite(t *testing.T) {
	gone := make(chan time.Time, 1)
	ts := startServer(t, func(req *Request) *Future {
		s, err := req.Stream(200, NewHeaders("Content-Type", "text/event-stream"))
		if err != nil {
			return req.Loop().Failed(err)
		}
		s.SendString("data: hello\n\n")
		done := req.Loop().NewFuture()
		req.Disconnected().AddCallback(func() {
			gone <- time.Now()
			done.Complete()
		})
		ctx := req.Context()
		go func() { <-ctx.Done() }()
		return done
	})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "data: hello") {
			break
		}
	}
	left := time.Now()
	c.Close()
	select {
	case at := <-gone:
		if d := at.Sub(left); d > time.Second {
			t.Fatalf("noticed after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler never learned that its client left")
	}
}

// Close tells handlers first (Closing, and requests' contexts), and an
// upgraded connection stays counted until its handler closes it.
func TestClosingTellsUpgradedHandlers(t *testing.T) {
	var closing atomic.Pointer[Future]
	ts := startServer(t, func(req *Request) *Future {
		req.Respond(101, "", NewHeaders("Upgrade", "echo", "Connection", "Upgrade"))
		closing.Load().AddCallback(func() {
			req.Client.SendString("goodbye")
			req.Client.Close()
		})
		return nil
	})
	closing.Store(ts.Closing())
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 101 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	n := make(chan int, 1)
	ts.loop.Post(func() { n <- ts.shards[0].group.Len() })
	if got := <-n; got != 1 {
		t.Fatalf("upgraded connections counted: %d", got)
	}
	ts.stop(t)
	got, err := io.ReadAll(rc.br)
	if err != nil || string(got) != "goodbye" {
		t.Fatalf("at Close the handler said %q (%v)", got, err)
	}
}

// A stream's writes fail once the client is gone, and their errors say so.
func TestStreamWriteAfterClientLeft(t *testing.T) {
	errs := make(chan error, 1)
	ts := startServer(t, func(req *Request) *Future {
		s, _ := req.Stream(200, nil)
		go func() {
			<-req.Context().Done()
			_, err := s.Write(make([]byte, 1<<20))
			if err == nil {
				err = s.Flush()
			}
			errs <- err
		}()
		return nil
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	rc.br.Peek(1)
	resetConn(rc.c)
	if err := <-errs; !errors.Is(err, ErrClosed) && !errors.Is(err, ErrResponded) {
		t.Fatalf("write after the client left: %v", err)
	}
}
