package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A handler that panics before its response started gets its request a
// 500, logged with the panic; the connection serves the next request.
func TestBridgePanicIs500(t *testing.T) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			var logs syncBuffer
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/ok" {
					io.WriteString(w, "fine")
					return
				}
				w.Header().Set("X-Lost", "1")
				io.WriteString(w, "partial, kept back")
				panic("boom")
			})
			ts := startBridge(t, h, m.opts, Logger(slog.New(slog.NewTextHandler(&logs, nil))))
			rc := dial(t, ts.addr)
			rc.write(get("/panic") + get("/ok"))
			resp := rc.response("GET")
			if resp.StatusCode != 500 || resp.Header.Get("X-Lost") != "" || strings.Contains(bodyOf(t, resp), "partial") {
				t.Fatalf("panic: %d %v", resp.StatusCode, resp.Header)
			}
			if b := bodyOf(t, rc.response("GET")); b != "fine" {
				t.Fatalf("next request: %q", b)
			}
			if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "/panic") {
				t.Fatalf("log: %s", logs.String())
			}
		})
	}
}

// A handler that panics after its response started has its connection
// closed: the client sees the chunked body cut short, never a complete
// (truncated) one.
func TestBridgePanicAfterFlushCutsTheResponse(t *testing.T) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "first part")
				w.(http.Flusher).Flush()
				panic("boom")
			})
			ts := startBridge(t, h, m.opts)
			rc := dial(t, ts.addr)
			rc.write(get("/"))
			resp, err := http.ReadResponse(rc.br, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if string(b) != "first part" || err != io.ErrUnexpectedEOF {
				t.Fatalf("body %q, %v; want the first part and io.ErrUnexpectedEOF", b, err)
			}
		})
	}
}

// panic(http.ErrAbortHandler) closes the connection without a response,
// and without a log line (net/http's way to abort quietly).
func TestBridgeErrAbortHandler(t *testing.T) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			var logs syncBuffer
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/flushed" {
					io.WriteString(w, "partial")
					w.(http.Flusher).Flush()
				}
				panic(http.ErrAbortHandler)
			})
			ts := startBridge(t, h, m.opts, Logger(slog.New(slog.NewTextHandler(&logs, nil))))
			rc := dial(t, ts.addr)
			rc.write(get("/"))
			rc.expectClosed()

			rc = dial(t, ts.addr)
			rc.write(get("/flushed"))
			resp, err := http.ReadResponse(rc.br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if b, err := io.ReadAll(resp.Body); string(b) != "partial" || err != io.ErrUnexpectedEOF {
				t.Fatalf("flushed, then aborted: %q, %v", b, err)
			}
			if logs.String() != "" {
				t.Fatalf("logged: %s", logs.String())
			}
		})
	}
}

// The request's context is cancelled when the client goes away, while the
// handler waits on it (net/http's TestServerRequestContextCancel_ConnClose).
func TestBridgeContextCancelledWhenClientLeaves(t *testing.T) {
	waiting := make(chan struct{})
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		child, cancel := context.WithTimeout(ctx, time.Hour) // derived contexts follow it
		defer cancel()
		close(waiting)
		<-child.Done()
		done <- ctx.Err()
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write(get("/"))
	<-waiting
	rc.c.Close()
	if err := <-done; err != context.Canceled {
		t.Fatalf("context after the client left: %v", err)
	}
}

// ... when the server begins to close (for every handler in flight) ...
func TestBridgeContextCancelledWhenServerCloses(t *testing.T) {
	const n = 5
	var waiting sync.WaitGroup
	waiting.Add(n)
	done := make(chan error, n)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		waiting.Done()
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		done <- r.Context().Err()
	})
	ts := startBridge(t, h, nil, ShutdownGrace(10*time.Second))
	for range n {
		dial(t, ts.addr).write(get("/"))
	}
	waiting.Wait()
	ts.Close()
	for range n {
		if err := <-done; err != context.Canceled {
			t.Fatalf("context at the server's close: %v", err)
		}
	}
}

// ... and when the handler has returned (net/http's
// TestServerRequestContextCancel_ServeHTTPDone), whether or not the
// handler looked at it before.
func TestBridgeContextCancelledAfterHandler(t *testing.T) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			ctxs := make(chan context.Context, 2)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/used" && r.Context().Err() != nil {
					t.Error("cancelled while the handler runs")
				}
				ctxs <- r.Context()
			})
			ts := startBridge(t, h, m.opts)
			rc := dial(t, ts.addr)
			for _, p := range []string{"/used", "/unused"} {
				rc.write(get(p))
				rc.response("GET")
				ctx := <-ctxs
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: context not cancelled after the handler returned", p)
				}
				if ctx.Err() != context.Canceled {
					t.Fatalf("%s: %v", p, ctx.Err())
				}
			}
		})
	}
}

// The deprecated CloseNotifier still works: true when the client leaves.
func TestBridgeCloseNotify(t *testing.T) {
	got := make(chan bool, 1)
	waiting := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch := w.(http.CloseNotifier).CloseNotify()
		close(waiting)
		got <- <-ch
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write(get("/"))
	<-waiting
	rc.c.Close()
	if !<-got {
		t.Fatal("CloseNotify sent false")
	}
}

// MaxHandlers bounds the handlers running at once; the requests past it
// wait their turn and are all served.
func TestBridgeMaxHandlers(t *testing.T) {
	const limit, clients = 3, 12
	var running, peak atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, clients)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := running.Add(1)
		started <- struct{}{}
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		io.WriteString(w, "served")
	})
	ts := startBridge(t, h, []BridgeOption{MaxHandlers(limit)})
	conns := make([]*rawConn, clients)
	for i := range conns {
		conns[i] = dial(t, ts.addr)
		conns[i].write(get("/"))
	}
	for range limit {
		<-started // the first handlers run, and wait
	}
	close(release)
	for i, rc := range conns {
		if b := bodyOf(t, rc.response("GET")); b != "served" {
			t.Fatalf("client %d: %q", i, b)
		}
	}
	if p := peak.Load(); p != limit {
		t.Fatalf("%d handlers ran at once, limit %d", p, limit)
	}
}

// A handler may write from goroutines of its own only while it runs (as
// under net/http); the bridge's own goroutines never race with it or with
// the loop. This test is for the race detector: many requests, streamed
// and whole, with bodies, on connections at once.
func TestBridgeConcurrentRequests(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/stream":
			for i := 0; i < 20; i++ {
				w.Write(bytes.Repeat(b, 100))
				w.(http.Flusher).Flush()
			}
		default:
			w.Write(b)
		}
	})
	for _, m := range bothModes {
		ts := startBridge(t, h, m.opts)
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Transport: &http.Transport{}}
				defer client.CloseIdleConnections()
				for i := 0; i < 20; i++ {
					path := "/whole"
					if i%3 == 0 {
						path = "/stream"
					}
					resp, err := client.Post("http://"+ts.addr+path, "text/plain", strings.NewReader("payload"))
					if err != nil {
						t.Error(err)
						return
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					want := "payload"
					if path == "/stream" {
						want = strings.Repeat("payload", 2000)
					}
					if err != nil || string(b) != want {
						t.Errorf("%s: %d bytes, %v", path, len(b), err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

// Flush sends what was written at once: a client reads each event before
// the handler writes the next (server-sent events).
func TestBridgeFlushStreamsEvents(t *testing.T) {
	next := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			<-next
		}
	})
	for _, m := range []bridgeMode{goroutineMode} {
		ts := startBridge(t, h, m.opts)
		rc := dial(t, ts.addr)
		rc.write(get("/events"))
		resp, err := http.ReadResponse(rc.br, nil)
		if err != nil || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatal(resp, err)
		}
		br := bufio.NewReader(resp.Body)
		for i := 0; i < 5; i++ {
			line, err := br.ReadString('\n')
			if line != fmt.Sprintf("data: %d\n", i) {
				t.Fatalf("event %d: %q, %v", i, line, err)
			}
			br.ReadString('\n')
			next <- struct{}{}
		}
		if rest, err := io.ReadAll(br); len(rest) != 0 || err != nil {
			t.Fatalf("after the events: %q, %v", rest, err)
		}
	}
}

// ResponseController's write deadline: a streamed response whose client
// stops reading fails the handler's write at the deadline, and the
// connection closes.
func TestBridgeWriteDeadline(t *testing.T) {
	result := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex: %v", err)
		}
		rc.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		chunk := make([]byte, 256<<10)
		var err error
		for i := 0; i < 4096 && err == nil; i++ {
			_, err = w.Write(chunk)
		}
		if err == nil {
			err = rc.Flush()
		}
		result <- err
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	rc.write(get("/")) // and read nothing
	if err := <-result; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write to a client that reads nothing: %v, want os.ErrDeadlineExceeded", err)
	}
	io.Copy(io.Discard, rc.br) // the connection closes: this ends
}

// Pipelined requests: in goroutine mode their handlers run at once
// (net/http runs them one after another), and the responses still leave
// in request order, whichever handler finishes first.
func TestBridgePipelinedResponsesInOrder(t *testing.T) {
	gates := make([]chan struct{}, 8)
	for i := range gates {
		gates[i] = make(chan struct{})
	}
	started := make(chan int, len(gates))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(r.URL.Path, "/%d", &i)
		started <- i
		<-gates[i]
		fmt.Fprintf(w, "response %d", i)
	})
	ts := startBridge(t, h, nil)
	rc := dial(t, ts.addr)
	var raw strings.Builder
	for i := range gates {
		raw.WriteString(get(fmt.Sprintf("/%d", i)))
	}
	rc.write(raw.String())
	for range gates {
		<-started // every handler runs before any answers
	}
	for i := len(gates) - 1; i >= 0; i-- {
		close(gates[i]) // the last finishes first
	}
	for i := range gates {
		if b := bodyOf(t, rc.response("GET")); b != fmt.Sprintf("response %d", i) {
			t.Fatalf("response %d: %q", i, b)
		}
	}
}

// A server on several loops serves a bridge too: each request's I/O on
// its own loop, handlers in goroutines or inline.
func TestBridgeOnSeveralLoops(t *testing.T) {
	for _, m := range bothModes {
		t.Run(m.name, func(t *testing.T) {
			ts := startBridge(t, benchMux(), m.opts, Loops(3))
			var wg sync.WaitGroup
			for c := 0; c < 6; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client := &http.Client{Transport: &http.Transport{}}
					defer client.CloseIdleConnections()
					for i := 0; i < 50; i++ {
						resp, err := client.Get("http://" + ts.addr + "/hello/loops")
						if err != nil {
							t.Error(err)
							return
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if string(b) != "{\"hello\":\"loops\"}\n" {
							t.Errorf("%q", b)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
