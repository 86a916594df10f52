package peer

import (
	"bytes"
	"net/http"
	"sync/atomic"
	"time"
)

// Fixed are the responses of the peers that answer without an HTTP parser
// (gnet and evio, as gnet's TechEmpower entry): they look only for the end
// of each request head and answer every head with the same bytes.
//
// The responses carry a Date header, rebuilt when the second changes: the
// loops read the clock once per read rather than run a ticker, which would
// add a timer goroutine beside the loop on a one-core server. They are
// shared by every loop of a multi-loop server through one atomic pointer,
// written once a second and read once per read: on amd64 that read is a
// plain load.
type Fixed struct {
	server string
	cur    atomic.Pointer[fixedSecond]
}

// fixedSecond is one second's pair of responses; never changed once
// published.
type fixedSecond struct {
	unix      int64
	keepAlive []byte // the response to a keep-alive request
	closing   []byte // the response to a "Connection: close" request
}

// NewFixed returns the responses of a server that names itself server.
func NewFixed(server string) *Fixed {
	f := &Fixed{server: server}
	f.cur.Store(f.build(time.Now()))
	return f
}

func (f *Fixed) build(now time.Time) *fixedSecond {
	return &fixedSecond{unix: now.Unix(), keepAlive: f.response(now, false), closing: f.response(now, true)}
}

// response builds the fixed response for the given time and connection
// header.
func (f *Fixed) response(now time.Time, close bool) []byte {
	b := []byte("HTTP/1.1 200 OK\r\nServer: " + f.server + "\r\nContent-Type: text/plain\r\nDate: ")
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	if close {
		b = append(b, "\r\nConnection: close"...)
	}
	b = append(b, "\r\nContent-Length: 11\r\n\r\n"...)
	return append(b, Body...)
}

// now returns this second's responses, rebuilding them when the clock has
// moved on. Two loops that see the new second at once both build; one
// publishes, and both answer with bytes of the right second.
func (f *Fixed) now() *fixedSecond {
	cur := f.cur.Load()
	now := time.Now()
	if now.Unix() != cur.unix {
		next := f.build(now)
		f.cur.CompareAndSwap(cur, next)
		return next
	}
	return cur
}

var headEnd = []byte("\r\n\r\n")

// Answer appends to out a response for every complete request head in buf
// and returns out, how many bytes of buf it consumed, and whether the
// connection must close once out is written (a head asked for it; nothing
// after that head is answered). An incomplete head is left unconsumed.
// Request bodies are not supported: every scenario sends GET requests.
func (f *Fixed) Answer(out, buf []byte) ([]byte, int, bool) {
	resp := f.now()
	consumed, closeAfter := 0, false
	for !closeAfter {
		i := bytes.Index(buf[consumed:], headEnd)
		if i < 0 {
			break
		}
		head := buf[consumed : consumed+i]
		consumed += i + len(headEnd)
		closeAfter = WantsClose(head)
		if closeAfter {
			out = append(out, resp.closing...)
		} else {
			out = append(out, resp.keepAlive...)
		}
	}
	return out, consumed, closeAfter
}

// WantsClose reports whether a request head has a "Connection: close"
// header. It compares ASCII case-insensitively and allocates nothing.
func WantsClose(head []byte) bool {
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
