package server

import (
	"strings"
	"testing"
)

// Malformed requests get the status the RFC calls for, then the
// connection closes (the parser can no longer tell where the next request
// starts: RFC 9112 §11.2).
func TestMalformedRequestsGetStatusAndClose(t *testing.T) {
	ts := startServer(t, hello, MaxHeaders(10), MaxTargetLen(100))
	cases := []struct {
		name, req string
		status    int
	}{
		{"§3 two spaces in the request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"§3.2 missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"§3.2 two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"§5.1 space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"§5.2 obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400},
		{"§2.2 bare CR", "GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", 400},
		{"§6.1 CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"§6.1 chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
		{"§6.1 unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"§6.3 bad Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400},
		{"§6.3 differing Content-Lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		{"§7.1 chunk size overflow", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\n", 400},
		{"§2.6 HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"§3 target too long", "GET /" + strings.Repeat("a", 200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"too many header fields", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: y\r\n", 20) + "\r\n", 431},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := dial(t, ts.addr)
			rc.write(tc.req)
			resp := rc.response("GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !resp.Close {
				t.Error("error response without Connection: close")
			}
			rc.expectClosed()
		})
	}
}

// RFC 9110 §9.1: an unknown method gets 501, and the connection (whose
// framing is sound) stays usable.
// Extension methods reach the handler, with their names; the handler
// decides (here: PROPFIND is served, BREW is not implemented), and the
// connection goes on.
func TestExtensionMethodsReachTheHandler(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		switch {
		case req.Method == MethodOther && req.MethodName == "PROPFIND":
			return req.Respond(207, "props of "+req.URL.Path+" "+req.Body, nil)
		case req.Method == MethodOther:
			return req.Respond(501, req.MethodName+" not implemented", nil)
		}
		return hello(req)
	})
	rc := dial(t, ts.addr)
	rc.write("PROPFIND /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcBREW /pot HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp := rc.response("PROPFIND"); resp.StatusCode != 207 || bodyOf(t, resp) != "props of /x abc" {
		t.Fatalf("PROPFIND: %d", resp.StatusCode)
	}
	if resp := rc.response("BREW"); resp.StatusCode != 501 || bodyOf(t, resp) != "BREW not implemented" {
		t.Fatalf("BREW: %d", resp.StatusCode)
	}
	if resp := rc.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("next request: %d", resp.StatusCode)
	}
}

// A pipelined malformed request is answered after the good ones before it.
func TestErrorAfterPipelinedGoodRequests(t *testing.T) {
	ts := startServer(t, hello)
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\n")
	for i := 0; i < 2; i++ {
		if resp := rc.response("GET"); resp.StatusCode != 200 {
			t.Fatalf("response %d: %d", i, resp.StatusCode)
		}
	}
	if resp := rc.response("GET"); resp.StatusCode != 400 {
		t.Fatalf("broken request: %d", resp.StatusCode)
	}
	rc.expectClosed()
}
