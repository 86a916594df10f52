package server

import (
	"strings"
	"testing"
)

// echoUpgrade takes a "Connection: upgrade" request over: it answers 101,
// then echoes whatever arrives on the socket, upper-cased, until EOF.
func echoUpgrade(req *Request) *Future {
	if !strings.EqualFold(req.Headers.Get("Upgrade"), "echo") {
		return req.Respond(400, "no upgrade", nil)
	}
	req.Respond(101, "", Headers{{"Upgrade", "echo"}, {"Connection", "Upgrade"}})
	s := &req.Client
	buf := make([]byte, 256)
	var pump func()
	pump = func() {
		r := s.Recv(buf)
		r.AddCallback(func() {
			if r.Failed() || r.Value() == 0 {
				s.Close()
				return
			}
			s.SendString(strings.ToUpper(string(buf[:r.Value()])))
			pump()
		})
	}
	pump()
	return nil
}

// The handler of an upgrade request owns the connection: the bytes sent
// right after the request reach it, and the server neither parses nor
// closes the socket (Nim closes it when the callback returns).
func TestUpgradeHandsTheConnectionOver(t *testing.T) {
	ts := startServer(t, echoUpgrade)
	rc := dial(t, ts.addr)
	rc.write("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly bytes|")
	resp := rc.response("GET")
	if resp.StatusCode != 101 {
		t.Fatalf("status %d, want 101", resp.StatusCode)
	}
	got := make([]byte, len("EARLY BYTES|"))
	if _, err := readFull(rc, got); err != nil || string(got) != "EARLY BYTES|" {
		t.Fatalf("bytes sent with the request: %q, %v", got, err)
	}
	// Not HTTP any more: this would be a 400 if the server still parsed.
	rc.write("GET / HTTP/1.1\r\n\r\n")
	got = make([]byte, len("GET / HTTP/1.1\r\n\r\n"))
	if _, err := readFull(rc, got); err != nil || string(got) != "GET / HTTP/1.1\r\n\r\n" {
		t.Fatalf("echo: %q, %v", got, err)
	}
	rc.c.(interface{ CloseWrite() error }).CloseWrite()
	rc.expectClosed() // the handler closes on EOF
}

func TestUpgradeRefusedClosesNormally(t *testing.T) {
	ts := startServer(t, echoUpgrade)
	rc := dial(t, ts.addr)
	rc.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n")
	if resp := rc.response("GET"); resp.StatusCode != 400 || !resp.Close {
		t.Fatalf("refused upgrade: %d close=%v", resp.StatusCode, resp.Close)
	}
	rc.expectClosed()
}

// An upgrade request pipelined behind another waits for the earlier
// response before its handler runs.
func TestUpgradeBehindPipelinedRequest(t *testing.T) {
	ts := startServer(t, func(req *Request) *Future {
		if req.URL.Path == "/first" {
			return req.Respond(200, "first", nil)
		}
		return echoUpgrade(req)
	})
	rc := dial(t, ts.addr)
	rc.write("GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nhi")
	if got := bodyOf(t, rc.response("GET")); got != "first" {
		t.Fatalf("first response %q", got)
	}
	if resp := rc.response("GET"); resp.StatusCode != 101 {
		t.Fatalf("upgrade: %d", resp.StatusCode)
	}
	got := make([]byte, 2)
	if _, err := readFull(rc, got); err != nil || string(got) != "HI" {
		t.Fatalf("echo %q %v", got, err)
	}
}

func readFull(rc *rawConn, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := rc.br.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
