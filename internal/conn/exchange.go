package conn

import (
	"errors"
	"net/netip"
	"sync/atomic"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Errors of the response path. They come back from Claim, Commit and
// SendHead instead of corrupting a connection.
var (
	// ErrResponded: the request already has a response.
	ErrResponded = errors.New("request already answered")
	// ErrClosed: the connection is gone (the peer left, or it was closed).
	ErrClosed = errors.New("connection closed")
	// ErrStatus: a response status outside 101 and 200-999, or a 1xx
	// other than 101 (interim responses are not final answers).
	ErrStatus = errors.New("invalid response status code")
	// ErrField: a header field name that is not a token, or a value with
	// CR, LF, NUL or another control character (response splitting).
	ErrField = errors.New("invalid response header field")
	// ErrContentLength: a Content-Length field that disagrees with the
	// content (it would desynchronise the connection).
	ErrContentLength = errors.New("Content-Length header disagrees with the content")
)

// Field is a response header field.
type Field struct{ Name, Value string }

// exchange states. An exchange goes idle → dispatched → (responding →
// responded → written | raw) and back to idle when released; aborted when
// its connection dies first.
const (
	xIdle uint32 = iota
	xDispatched
	xResponding // claimed by a Respond in progress (any goroutine)
	xResponded  // the response is in the slot, waiting its turn
	xRaw        // the handler writes the response itself (SendHead)
	xWritten
	xAborted
)

// Exchange is one request and its response on a connection. The server
// receives it in Handler.Serve and answers through Claim and Commit, from
// the loop or from any other goroutine.
//
// Its fields and the strings made from its bytes stay valid until the
// exchange is released: its response written and its handler finished
// (HandlerDone). The connection then reuses it for a later request.
type Exchange struct {
	// Head is the parsed request head; its spans index Bytes.
	Head parser.Request
	// Fields holds the response's header fields, filled by the caller
	// between Claim and Commit. Its capacity is reused.
	Fields []Field
	// User is the server's own object for this exchange (its Request),
	// kept across reuse so that it is allocated once.
	User any

	conn  *Conn
	buf   []byte // head and body as received (the body decoded in place)
	body  []byte // the body, a part of buf
	next  *Exchange
	state atomic.Uint32
	// inHandler is set while Handler.Serve runs on the loop. A Commit
	// that sees it set knows the loop will look at the exchange when Serve
	// returns; otherwise it must wake the loop (see Commit).
	inHandler atomic.Bool

	// The response slot, written between Claim and Commit.
	code      int
	content   string
	userLen   bool // Fields has Content-Length or Transfer-Encoding
	userDate  bool
	userClose bool // Fields has Connection: close

	bufGen       uint32 // which input buffer buf lies in (Conn.bufGen)
	wireLen      int    // bytes the request took on the wire
	handlerDone  bool
	waiting      bool // an upgrade request queued behind earlier ones
	dispatchedAt int64
	rawFut       *poller.Future // SendHead's future, completed when head-of-line
	rawFramed    bool           // the raw response is framed (Content-Length or chunked)
	sent100      bool
}

// Bytes returns the bytes s refers to in the exchange's buffer.
func (x *Exchange) Bytes(s parser.Span) []byte { return x.buf[s.Off : s.Off+s.Len] }

// String returns the bytes s refers to as a string that shares the buffer
// (see the lifetime above).
func (x *Exchange) String(s parser.Span) string { return unsafeString(x.Bytes(s)) }

// Body returns the request body (decoded, if it was chunked) as a string
// sharing the buffer.
func (x *Exchange) Body() string { return unsafeString(x.body) }

// Socket returns the connection's socket.
func (x *Exchange) Socket() *poller.Socket { return &x.conn.s }

// Loop returns the loop the exchange runs on.
func (x *Exchange) Loop() *poller.Loop { return x.conn.g.loop }

// Peer returns the client's address.
func (x *Exchange) Peer() netip.AddrPort { return x.conn.peer }

// PeerIP returns the client's IP address as a string (Nim's hostname).
func (x *Exchange) PeerIP() string { return x.conn.peerIP }

// Claim reserves the response slot for the caller. It fails with
// ErrResponded if the request already has (or is getting) a response and
// with ErrClosed if the connection is gone. Only the claimer may then fill
// Fields and call Commit. Safe from any goroutine.
func (x *Exchange) Claim() error {
	if x.state.CompareAndSwap(xDispatched, xResponding) {
		return nil
	}
	if x.state.Load() == xAborted {
		return ErrClosed
	}
	return ErrResponded
}

// Commit publishes the claimed response: status code, content and the
// header fields in Fields. It validates them first; on error the claim is
// released and the request may be answered again. Safe from any goroutine.
func (x *Exchange) Commit(code int, content string) error {
	if err := x.checkResponse(code, content, false); err != nil {
		x.state.Store(xDispatched)
		return err
	}
	x.code, x.content = code, content
	x.state.Store(xResponded)
	x.conn.noticeResponse(x)
	return nil
}

// checkResponse validates the slot and records what the fields say about
// framing, so that the loop does not scan them again. A raw response's body
// is written by its handler, so its Content-Length cannot be checked here.
func (x *Exchange) checkResponse(code int, content string, raw bool) error {
	if code < 100 || code > 999 || (code < 200 && code != 101) {
		return ErrStatus
	}
	x.userLen, x.userDate, x.userClose = false, false, false
	for i := range x.Fields {
		f := &x.Fields[i]
		if !parser.ValidToken(f.Name) || !parser.ValidFieldValue(f.Value) {
			return ErrField
		}
		switch {
		case equalFold(f.Name, "content-length"):
			if !raw && x.Head.Method != parser.MethodHead && !bodyless(code) && !lengthMatches(f.Value, len(content)) {
				return ErrContentLength
			}
			x.userLen = true
		case equalFold(f.Name, "transfer-encoding"):
			x.userLen = true
		case equalFold(f.Name, "date"):
			x.userDate = true
		case equalFold(f.Name, "connection"):
			x.userClose = x.userClose || hasToken(f.Value, "close")
		}
	}
	return nil
}

// lengthMatches reports whether v is the decimal form of n.
func lengthMatches(v string, n int) bool {
	if v == "" || len(v) > 19 {
		return false
	}
	m := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return false
		}
		m = m*10 + int(c-'0')
	}
	return m == n
}

// HandlerDone tells the connection that the handler of x has finished (its
// future, or its synchronous return when it returned no future). Together
// with the response being written, it releases the exchange. On the loop.
func (x *Exchange) HandlerDone() {
	x.handlerDone = true
	x.conn.handlerFinished(x)
}

// Responded reports whether the request has been answered (or is being).
func (x *Exchange) Responded() bool {
	s := x.state.Load()
	return s != xDispatched && s != xIdle
}

// reset prepares a released exchange for its next request.
func (x *Exchange) reset() {
	// x.Head is reset by the parser when the next head starts.
	x.Fields = x.Fields[:0]
	x.buf, x.body, x.next = nil, nil, nil
	x.content = ""
	x.handlerDone = false
	x.rawFut = nil
	x.rawFramed, x.sent100, x.waiting = false, false, false
	x.wireLen = 0
	x.state.Store(xIdle)
}
