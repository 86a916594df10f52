package conn

import (
	"errors"
	"net/netip"
	"sync/atomic"

	"asynchttpserver.dev/internal/parser"
	"asynchttpserver.dev/internal/poller"
)

// Errors of the response path. They come back from the Exchange's methods
// instead of corrupting a connection.
var (
	// ErrResponded: the request already has a response, or is done.
	ErrResponded = errors.New("request already answered")
	// ErrClosed: the connection is gone (the peer left, or it was closed).
	ErrClosed = errors.New("connection closed")
	// ErrStatus: a response status outside 200-999, a 1xx other than 101
	// (interim responses are not final answers), or 101 to a request that
	// did not ask to upgrade (RFC 9110 §15.2.2).
	ErrStatus = errors.New("invalid response status code")
	// ErrField: a header field name that is not a token, or a value with
	// CR, LF, NUL or another control character (response splitting).
	ErrField = errors.New("invalid response header field")
	// ErrContentLength: a Content-Length field that is not a number or
	// disagrees with the body: the content of a whole response, or the
	// bytes a streamed one wrote (too many, or too few when it ended).
	ErrContentLength = errors.New("Content-Length header disagrees with the body")
	// ErrChunked: a body framed with Transfer-Encoding: chunked by the
	// handler that is not valid chunked coding, or ended before its last
	// chunk; or Transfer-Encoding beside Content-Length.
	ErrChunked = errors.New("response body is not valid chunked coding")
	// ErrNotStreaming: body bytes written to a request whose response was
	// not started with a head of its own (SendHead), nor upgraded.
	ErrNotStreaming = errors.New("no streamed response to write to: send the head first")
	// ErrNotUpgraded: the connection's socket asked for by a request that
	// did not ask to upgrade it: its body is in the request, and its
	// response goes through the exchange.
	ErrNotUpgraded = errors.New("the request did not ask to upgrade the connection")
)

// Field is a response header field.
type Field struct{ Name, Value string }

// phase is where an exchange is in its life. It goes idle → dispatched →
// claimed → responded | streaming → written, and back to idle when it is
// released for reuse; upgraded when the handler takes the connection over
// after a 101; aborted when the connection closes first.
type phase uint32

const (
	xIdle       phase = iota
	xDispatched       // the handler has it; not answered yet
	xClaimed          // a responder holds the response slot (any goroutine)
	xResponded        // a whole response waits in the slot for its turn
	xStreaming        // a response whose body the handler writes in pieces
	xWritten          // the response is out (a stream: its body has ended)
	xUpgraded         // the connection belongs to the handler now
	xAborted          // the connection closed before the response was out
)

// Exchange is one request and its response on a connection. The server
// receives it in Handler.Serve and answers through Claim and Commit, from
// the loop or from any other goroutine, or streams the response from the
// loop (CommitHead, WriteBody, EndBody).
//
// An exchange is reused for a later request once its response is written
// and its handler has finished. Each use has a generation (Gen): a caller
// names the generation it was given in every call, so that a handle kept
// past its request's end gets ErrResponded (or ErrClosed) and can never
// touch the request that reuses the exchange. The bytes of the request
// (Bytes, String, Body) are never written again, reused or not (see
// arena.go), so strings made from them stay valid forever.
type Exchange struct {
	// Head is the parsed request head; its spans index Bytes.
	Head parser.Head
	// Fields holds the response's header fields, filled by the claimer
	// between Claim and Commit. Its capacity is reused.
	Fields []Field

	conn *Conn  // its connection, for life
	g    *Group // its connection's group
	buf  []byte // head and body as received (the body decoded in place)
	body []byte // the body, a part of buf
	next *Exchange
	// state is the generation (high 32 bits) and the phase (low 32 bits),
	// changed together with compare-and-swap.
	state atomic.Uint64
	// inHandler is set while Handler.Serve runs on the loop. A Commit that
	// sees it set knows the loop will look at the exchange when Serve
	// returns; otherwise it must wake the loop (see Commit).
	inHandler atomic.Bool

	// The response slot, written between Claim and Commit.
	code      int
	content   string
	userLen   bool // Fields has Content-Length or Transfer-Encoding
	userDate  bool
	userClose bool // Fields has Connection: close
	stream    stream
	in        bodyIn          // a request body read in pieces (bodystream.go)
	watch     func(gone bool) // see Watch
	watchTag  any

	wireLen      int // bytes the request took on the wire
	handlerDone  bool
	waiting      bool // an upgrade request queued behind earlier ones
	dispatchedAt int64
	sent100      bool
}

func pack(gen uint32, p phase) uint64 { return uint64(gen)<<32 | uint64(p) }

// Gen returns the exchange's current generation: the server takes it when
// the request is dispatched and names it in every later call.
func (x *Exchange) Gen() uint32 { return uint32(x.state.Load() >> 32) }

func (x *Exchange) phase() phase { return phase(uint32(x.state.Load())) }

// setPhase moves the exchange to p within its generation (on the loop).
func (x *Exchange) setPhase(p phase) { x.state.Store(pack(x.Gen(), p)) }

// move moves the exchange of generation gen from phase from to phase to.
func (x *Exchange) move(gen uint32, from, to phase) bool {
	return x.state.CompareAndSwap(pack(gen, from), pack(gen, to))
}

// is reports whether the exchange is in generation gen and phase p.
func (x *Exchange) is(gen uint32, p phase) bool { return x.state.Load() == pack(gen, p) }

// stale returns the error for a call naming generation gen when the
// exchange is not where the call needs it: ErrClosed if that request's
// connection closed before its response was out, ErrResponded otherwise
// (the request was answered; it may even be over and its exchange reused).
func (x *Exchange) stale(gen uint32) error {
	if x.is(gen, xAborted) {
		return ErrClosed
	}
	return ErrResponded
}

// Bytes returns the bytes s refers to in the exchange's buffer.
func (x *Exchange) Bytes(s parser.Span) []byte { return x.buf[s.Off : s.Off+s.Len] }

// String returns the bytes s refers to as a string that shares the
// buffer. The bytes are never written again (see arena.go).
func (x *Exchange) String(s parser.Span) string { return unsafeString(x.Bytes(s)) }

// Body returns the request body (decoded, if it was chunked) as a string
// sharing the buffer.
func (x *Exchange) Body() string { return unsafeString(x.body) }

// Owner returns the owner of the exchange's group (see Group.Owner).
func (x *Exchange) Owner() any { return x.g.Owner }

// Loop returns the loop the exchange runs on.
func (x *Exchange) Loop() *poller.Loop { return x.g.loop }

// Peer returns the client's address.
func (x *Exchange) Peer() netip.AddrPort { return x.conn.s.RemoteAddr() }

// PeerIP returns the client's IP address as a string (Nim's hostname).
func (x *Exchange) PeerIP() string { return x.conn.peerIP }

// Claim reserves the response slot of generation gen for the caller. It
// fails with ErrResponded if the request already has (or is getting) a
// response or is over, and with ErrClosed if its connection is gone. Only
// the claimer may then fill Fields and call Commit or CommitHead. Safe from
// any goroutine.
func (x *Exchange) Claim(gen uint32) error {
	if x.move(gen, xDispatched, xClaimed) {
		return nil
	}
	return x.stale(gen)
}

// Unclaim gives a claimed slot back unanswered, so that the request may be
// answered again.
func (x *Exchange) Unclaim(gen uint32) { x.move(gen, xClaimed, xDispatched) }

// Commit publishes the claimed response: status code, content and the
// header fields in Fields. It validates them first; on error the claim is
// released and the request may be answered again. Safe from any goroutine.
func (x *Exchange) Commit(gen uint32, code int, content string) error {
	if err := x.checkResponse(code, content, false); err != nil {
		x.Unclaim(gen)
		return err
	}
	x.code, x.content = code, content
	if !x.move(gen, xClaimed, xResponded) {
		return x.stale(gen) // the connection closed meanwhile
	}
	x.conn.noticeResponse(x)
	return nil
}

// checkResponse validates the slot and records what the fields say about
// framing, so that the loop does not scan them again. A streamed
// response's body is not known yet: its framing is checked as it is
// written.
func (x *Exchange) checkResponse(code int, content string, streamed bool) error {
	if code < 100 || code > 999 || (code < 200 && code != 101) || (code == 101 && !isUpgrade(x)) {
		return ErrStatus
	}
	x.userLen, x.userDate, x.userClose = false, false, false
	hasLength, hasCoding := false, false
	for i := range x.Fields {
		f := &x.Fields[i]
		if !parser.ValidToken(f.Name) || !parser.ValidFieldValue(f.Value) {
			return ErrField
		}
		switch {
		case parser.EqualFold(f.Name, "content-length"):
			if _, ok := parseLength(f.Value); !ok {
				return ErrContentLength
			}
			if !streamed && x.Head.Method != parser.MethodHead && !bodyless(code) && !lengthMatches(f.Value, len(content)) {
				return ErrContentLength
			}
			hasLength = true
		case parser.EqualFold(f.Name, "transfer-encoding"):
			hasCoding = true
		case parser.EqualFold(f.Name, "date"):
			x.userDate = true
		case parser.EqualFold(f.Name, "connection"):
			x.userClose = x.userClose || hasToken(f.Value, "close")
		}
	}
	if hasCoding && hasLength {
		return ErrChunked // RFC 9112 §6.2: never both
	}
	if hasCoding && !streamed {
		// A whole response framed by the handler's own chunks: they must be
		// exactly one valid chunked message, sent as they are.
		if x.Head.Minor == 0 || !x.chunkedCoding() || !completeChunked(content) {
			return ErrChunked
		}
	}
	x.userLen = hasLength || hasCoding
	return nil
}

// chunkedCoding reports whether the Transfer-Encoding of Fields ends in
// chunked, the only coding whose end the server can find.
func (x *Exchange) chunkedCoding() bool {
	last := ""
	for i := range x.Fields {
		if f := &x.Fields[i]; parser.EqualFold(f.Name, "transfer-encoding") {
			last = f.Value
		}
	}
	if i := lastComma(last); i >= 0 {
		last = last[i+1:]
	}
	return parser.EqualFold(trimSpace(last), "chunked")
}

// completeChunked reports whether s is exactly one whole chunked message.
func completeChunked(s string) bool {
	var k parser.ChunkChecker
	n, _, err := k.Check([]byte(s), nil)
	return err == nil && k.Done() && n == len(s)
}

// lengthMatches reports whether v is the decimal form of n.
func lengthMatches(v string, n int) bool {
	m, ok := parseLength(v)
	return ok && m == int64(n)
}

// parseLength parses a Content-Length value: 1 to 18 decimal digits.
func parseLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var m int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		m = m*10 + int64(c-'0')
	}
	return m, true
}

// HandlerDone tells the connection that the handler of generation gen has
// finished (its future, or its synchronous return when it returned no
// future). Together with the response being written, it releases the
// exchange. It does not end a streamed response: EndBody does. On the loop.
func (x *Exchange) HandlerDone(gen uint32) {
	if x.Gen() != gen || x.handlerDone {
		return
	}
	x.handlerDone = true
	x.conn.handlerFinished(x)
}

// Answered reports whether the request of generation gen has a response
// (or is getting one, or is over).
func (x *Exchange) Answered(gen uint32) bool {
	s := x.state.Load()
	return s != pack(gen, xDispatched)
}

// Streaming reports whether the request of generation gen has a streamed
// response whose body has not ended.
func (x *Exchange) Streaming(gen uint32) bool {
	return x.is(gen, xStreaming) && !x.stream.ended
}

// Upgraded reports whether the request of generation gen has been handed
// the connection (after its 101) and the connection is still open.
func (x *Exchange) Upgraded(gen uint32) bool {
	return x.is(gen, xUpgraded) && !x.conn.closed
}

// reset prepares a released exchange for its next request: a new
// generation, so that handles of the old one are refused.
func (x *Exchange) reset() {
	// x.Head is reset by the parser when the next head starts.
	x.Fields = x.Fields[:0]
	x.buf, x.body, x.next = nil, nil, nil
	x.content = ""
	x.handlerDone = false
	if x.stream.headFut != nil || x.stream.closeAfter { // only a streamed or closed response used it
		x.stream = stream{}
	}
	if x.in.streamed {
		x.in = bodyIn{}
	}
	x.sent100, x.waiting = false, false
	x.wireLen = 0
	x.state.Store(pack(x.Gen()+1, xIdle))
}
