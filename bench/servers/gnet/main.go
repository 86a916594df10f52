// Command gnet is the github.com/panjf2000/gnet/v2 Hello World peer, written
// like gnet's TechEmpower plaintext entry: one event loop, no HTTP parser. It
// looks only for the end of each request head ("\r\n\r\n") and answers every
// head with the same fixed response, so pipelined requests are answered in
// one write per read.
//
// Two additions keep it honest on the benchmark's scenarios. The response
// carries a Date header, rebuilt when the second changes: the loop reads the
// clock once per read rather than running gnet's ticker (WithTicker), which
// would add a timer goroutine beside the loop on the one P. And a request
// head carrying "Connection: close"
// gets a response saying so, after which the connection is closed; without
// that, wrk's churn scenario would silently keep connections alive. Request
// bodies are not supported: every scenario sends GET requests.
package main

import (
	"bytes"
	"log"
	"net/http"
	"time"

	"github.com/panjf2000/gnet/v2"

	"asynchttpserver.dev/bench/internal/peer"
)

var headEnd = []byte("\r\n\r\n")

// server is the gnet event handler; gnet calls it from its one event loop.
type server struct {
	gnet.BuiltinEventEngine
	second    int64  // Unix second the responses were built in
	keepAlive []byte // response to a keep-alive request
	closing   []byte // response to a "Connection: close" request
	out       []byte // responses of one read, reused
}

// response builds the fixed response for the given time and connection header.
func response(now time.Time, close bool) []byte {
	b := []byte("HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nDate: ")
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	if close {
		b = append(b, "\r\nConnection: close"...)
	}
	b = append(b, "\r\nContent-Length: 11\r\n\r\n"...)
	return append(b, peer.Body...)
}

// refresh rebuilds the responses when the clock has moved to a new second.
func (s *server) refresh() {
	now := time.Now()
	if sec := now.Unix(); sec != s.second {
		s.second = sec
		s.keepAlive, s.closing = response(now, false), response(now, true)
	}
}

// OnTraffic answers every complete request head in the inbound buffer and
// leaves an incomplete one there for the next read.
func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	s.refresh()
	buf, _ := c.Peek(-1)
	out := s.out[:0]
	consumed, closeAfter := 0, false
	for !closeAfter {
		i := bytes.Index(buf[consumed:], headEnd)
		if i < 0 {
			break
		}
		head := buf[consumed : consumed+i]
		consumed += i + len(headEnd)
		closeAfter = wantsClose(head)
		if closeAfter {
			out = append(out, s.closing...)
		} else {
			out = append(out, s.keepAlive...)
		}
	}
	c.Discard(consumed)
	if len(out) > 0 {
		c.Write(out) // copies whatever the socket does not take at once
	}
	s.out = out
	if closeAfter {
		return gnet.Close // gnet flushes pending output before closing
	}
	return gnet.None
}

// wantsClose reports whether a request head has a "Connection: close"
// header. It compares ASCII case-insensitively and allocates nothing.
func wantsClose(head []byte) bool {
	const name = "\r\nconnection:"
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\r')
		if i < 0 {
			return false
		}
		head = head[i:]
		if len(head) >= len(name) && bytes.EqualFold(head[:len(name)], []byte(name)) {
			value := head[len(name):]
			if j := bytes.IndexByte(value, '\r'); j >= 0 {
				value = value[:j]
			}
			return bytes.EqualFold(bytes.TrimSpace(value), []byte("close"))
		}
		head = head[1:]
	}
	return false
}

func main() {
	addr := peer.Setup("gnet")
	err := gnet.Run(&server{}, "tcp4://"+addr,
		gnet.WithNumEventLoop(1),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
	)
	log.Fatal(err)
}
