package server

import (
	"strings"
	"testing"
	"time"
)

// streamHandler answers /framed with a hand-written body framed by
// Content-Length (the connection stays open), /raw with an unframed body
// (delimited by closing the connection), and /slow after a delay.
func streamHandler(req *Request) *Future {
	l := req.Loop()
	done := l.NewFuture()
	switch req.URL.Path {
	case "/framed":
		req.SendHeaders(Headers{{"Content-Length", "10"}, {"X-Stream", "yes"}}).AddCallback(func() {
			req.Client.SendString("01234")
			req.Client.SendString("56789").AddCallback(done.Complete)
		})
	case "/raw":
		req.SendStatus(202, nil).AddCallback(func() {
			req.Client.SendString("until the end").AddCallback(done.Complete)
		})
	case "/slow":
		l.AddTimer(20*time.Millisecond, func() {
			req.Respond(200, "slow", nil)
			done.Complete()
		})
	default:
		return req.Respond(200, "plain", nil)
	}
	return done
}

func TestSendHeadersFramedKeepsConnection(t *testing.T) {
	ts := startServer(t, streamHandler)
	rc := dial(t, ts.addr)
	rc.write("GET /framed HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := rc.response("GET")
	if got := bodyOf(t, resp); got != "0123456789" || resp.Header.Get("X-Stream") != "yes" || resp.Header.Get("Date") == "" {
		t.Fatalf("streamed response: %q %v", got, resp.Header)
	}
	if got := bodyOf(t, rc.response("GET")); got != "plain" {
		t.Fatalf("next response on the connection: %q", got)
	}
}

func TestSendStatusUnframedEndsWithConnection(t *testing.T) {
	ts := startServer(t, streamHandler)
	rc := dial(t, ts.addr)
	rc.write("GET /raw HTTP/1.1\r\nHost: x\r\n\r\n")
	resp := rc.response("GET")
	if resp.StatusCode != 202 || !resp.Close {
		t.Fatalf("status %d close=%v", resp.StatusCode, resp.Close)
	}
	if got := bodyOf(t, resp); got != "until the end" {
		t.Fatalf("body delimited by close: %q", got)
	}
}

// A hand-written response behind a slower pipelined one waits its turn:
// SendHeaders' future completes only once the earlier response is out.
func TestSendHeadersWaitsForEarlierResponses(t *testing.T) {
	ts := startServer(t, streamHandler)
	rc := dial(t, ts.addr)
	rc.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /framed HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := bodyOf(t, rc.response("GET")); got != "slow" {
		t.Fatalf("first response %q", got)
	}
	if got := bodyOf(t, rc.response("GET")); got != "0123456789" {
		t.Fatalf("second response %q", got)
	}
}

func TestSendHeadersAfterRespondFails(t *testing.T) {
	errs := make(chan error, 1)
	ts := startServer(t, func(req *Request) *Future {
		f := req.Respond(200, "once", nil)
		errs <- req.SendHeaders(nil).Err()
		return f
	})
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := bodyOf(t, rc.response("GET")); !strings.Contains(got, "once") {
		t.Fatalf("body %q", got)
	}
	if err := <-errs; err != ErrResponded {
		t.Fatalf("SendHeaders after Respond: %v", err)
	}
}
