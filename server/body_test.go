package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func echoBody(req *Request) *Future {
	return req.Respond(200, fmt.Sprintf("%d:%s", len(req.Body), req.Body), nil)
}

func TestContentLengthAndChunkedBodies(t *testing.T) {
	ts := startServer(t, echoBody)
	rc := dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
	if got := bodyOf(t, rc.response("POST")); got != "11:hello world" {
		t.Fatalf("Content-Length body: %q", got)
	}
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
	if got := bodyOf(t, rc.response("POST")); got != "11:hello world" {
		t.Fatalf("chunked body: %q", got)
	}
	// Bodies are read for every method that has one (Nim only reads chunked POSTs).
	rc.write("PATCH / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
	if got := bodyOf(t, rc.response("PATCH")); got != "2:ok" {
		t.Fatalf("chunked PATCH body: %q", got)
	}
}

func TestLargeBodiesAcrossBufferGrowth(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		return req.Respond(200, fmt.Sprint(len(req.Body), " ", strings.Count(req.Body, "x")), nil)
	})
	client := &http.Client{}
	defer client.CloseIdleConnections()
	for _, n := range []int{16 << 10, 100 << 10, 3 << 20} {
		resp, err := client.Post("http://"+ts.addr+"/", "text/plain", bytes.NewReader(bytes.Repeat([]byte("x"), n)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := bodyOf(t, resp), fmt.Sprint(n, " ", n); got != want {
			t.Fatalf("%d-byte body: %q", n, got)
		}
		resp.Body.Close()
		// And chunked (net/http chunks a body of unknown length).
		resp, err = client.Post("http://"+ts.addr+"/", "text/plain", struct{ *bytes.Reader }{bytes.NewReader(bytes.Repeat([]byte("x"), n))})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := bodyOf(t, resp), fmt.Sprint(n, " ", n); got != want {
			t.Fatalf("%d-byte chunked body: %q", n, got)
		}
		resp.Body.Close()
	}
}

// RFC 9110 §15.5.14: a body over MaxBody gets 413, and the connection is
// closed gracefully: the client reads the 413 instead of a reset, even
// while its body is still arriving.
func TestBodyOverMaxBodyGets413(t *testing.T) {
	ts := startServer(t, echoBody, MaxBody(1000))
	rc := dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	go rc.c.Write(bytes.Repeat([]byte("y"), 100000)) // the body keeps coming
	resp := rc.response("POST")
	if resp.StatusCode != 413 || !resp.Close {
		t.Fatalf("got %d (close=%v), want 413 and close", resp.StatusCode, resp.Close)
	}
	// Chunked: the decoder stops at the limit.
	rc = dial(t, ts.addr)
	rc.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + strings.Repeat("z", 1000) + "\r\n1\r\nz\r\n0\r\n\r\n")
	if resp := rc.response("POST"); resp.StatusCode != 413 {
		t.Fatalf("chunked over the limit: %d", resp.StatusCode)
	}
	rc.expectClosed()
}

// RFC 9110 §10.1.1: "Expect: 100-continue" gets an interim 100 before the
// client sends its body.
func TestExpectContinue(t *testing.T) {
	ts := startServer(t, echoBody)
	rc := dial(t, ts.addr)
	rc.write("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	line, err := rc.br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q, %v", line, err)
	}
	if blank, _ := rc.br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("interim response not ended: %q", blank)
	}
	rc.write("data")
	if got := bodyOf(t, rc.response("PUT")); got != "4:data" {
		t.Fatalf("final response %q", got)
	}
	// With the body already sent, no 100 is needed (and none is sent).
	rc.write("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok")
	if resp := rc.response("PUT"); resp.StatusCode != 200 {
		t.Fatalf("got %d", resp.StatusCode)
	}
	// net/http's client waits for the 100 too.
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5e9}}
	req, _ := http.NewRequest("POST", "http://"+ts.addr+"/", strings.NewReader("payload"))
	req.Header.Set("Expect", "100-continue")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodyOf(t, resp); got != "7:payload" {
		t.Fatalf("net/http with Expect: %q", got)
	}
	resp.Body.Close()
	client.CloseIdleConnections()
}
