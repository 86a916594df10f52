package server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// RFC 9112 §9.3.2: a server may process pipelined requests in parallel
// but must send the responses in request order.
func TestPipelinedResponsesInOrderWhenHandlersFinishOutOfOrder(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		var delay time.Duration
		fmt.Sscanf(req.URL.RawQuery, "delay=%d", &delay)
		if delay == 0 {
			return req.Respond(200, req.URL.Path, nil)
		}
		done := req.Loop().NewFuture()
		req.Loop().AddTimer(delay*time.Millisecond, func() {
			req.Respond(200, req.URL.Path, nil)
			done.Complete()
		})
		return done
	})
	rc := dial(t, ts.addr)
	var b strings.Builder
	delays := []int{30, 0, 10, 0, 20, 0}
	for i, d := range delays {
		fmt.Fprintf(&b, "GET /r%d?delay=%d HTTP/1.1\r\nHost: x\r\n\r\n", i, d)
	}
	rc.write(b.String())
	for i := range delays {
		if got := bodyOf(t, rc.response("GET")); got != fmt.Sprintf("/r%d", i) {
			t.Fatalf("response %d is for %s", i, got)
		}
	}
}

// The responses to one read of pipelined requests leave in one write.
func TestPipelinedResponsesAreCoalesced(t *testing.T) {
	writes := make(chan uint64, 64)
	ts := startServer(t, func(req *Request) *Future {
		writes <- req.x.Writes()
		return req.Respond(200, "Hello World", nil)
	})
	rc := dial(t, ts.addr)
	const depth = 16
	rc.write(strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", depth))
	for i := 0; i < depth; i++ {
		rc.response("GET")
	}
	// Every handler ran before the first write: they saw a count of 0.
	for i := 0; i < depth; i++ {
		if w := <-writes; w != 0 {
			t.Fatalf("handler %d saw %d writes already: responses were not coalesced", i, w)
		}
	}
}

func TestPipelineSplitAtEveryByte(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		return req.Respond(200, req.Method.String()+" "+req.URL.Path+" "+req.Body, nil)
	})
	stream := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
		"PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n" +
		"DELETE /d HTTP/1.1\r\nHost: x\r\n\r\n"
	want := []string{"GET /a ", "POST /b hello", "PUT /c abcde", "DELETE /d "}
	for cut := 1; cut < len(stream); cut += 7 {
		rc := dial(t, ts.addr)
		rc.write(stream[:cut])
		rc.write(stream[cut:])
		for i, w := range want {
			if got := bodyOf(t, rc.response("GET")); got != w {
				t.Fatalf("cut %d, response %d: %q, want %q", cut, i, got, w)
			}
		}
		rc.c.Close()
	}
}
