package server

import (
	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/parser"
)

// Request is a request being served (Nim's Request).
//
// A Request belongs to one request for good: the server makes a new one
// for every request and never reuses it. Its strings never change either:
// they share the memory the request was read into, which the server never
// writes again, so a handler may keep any of them (a map key, a log line,
// a goroutine's argument) for as long as it likes. Once the request is
// done, the methods that answer it (Respond, SendHeaders, SendStatus, the
// Client's) return ErrResponded, or ErrClosed if its connection closed
// first; they never touch a later request on the same connection.
//
// Respond is safe from any goroutine. SendHeaders, SendStatus and the
// X: in the
// handler, or in callbacks and timers; called from another goroutine they
// panic, since they would race with the loop (use Loop().Post).
type Request struct {
	// Client is the request's connection as its handler sees it: the body
	// of a response started with SendHeaders is written through it, and
	// after an upgrade (101) the handler talks over it. See Client.
	Client Client
	// Headers are the request's header fields, in order, with repeats.
	Headers Headers
	// Protocol is the HTTP version.
	Protocol Protocol
	// URL is the request-target, its path decoded (see URL).
	URL URL
	// Hostname is the client's IP address, as in Nim (not the Host
	// header: that is Headers.Get("Host")).
	Hostname string
	// Body is the request body, read in full before the handler runs (as
	// in Nim), chunked bodies decoded.
	Body string
	// MethodName is the method as sent: "GET", or an extension method's
	// name ("PROPFIND", "QUERY").
	MethodName string
	// Method is the request method; MethodOther for extension methods.
	Method Method

	// The unexported fields sit beside Method, where padding would be:
	// the server makes a Request for every request, and its bytes are
	// what the garbage collector sees.
	dropBody bool   // a bodyless streamed response: Client.Send drops its bytes
	panicked bool   // its handler panicked (set by the dispatcher)
	gen      uint32 // x's generation for this request
	x        *conn.Exchange
}

// newRequest makes the Request of exchange x. Everything in it is the
// request's own and never reused: the Request and its header list come
// from the server's slabs, and its strings from input memory that is never
// rewritten.
func (sh *shard) newRequest(x *conn.Exchange) *Request {
	r := sh.slab.request() // zeroed: only what is not zero is set
	h := &x.Head
	r.x, r.gen = x, x.Gen()
	r.Client.r = r
	r.Method = Method(h.Method)
	r.MethodName = r.Method.String()
	if r.Method == MethodOther {
		r.MethodName = x.String(h.MethodSpan)
	}
	r.Protocol = http11
	if h.Minor == 0 {
		r.Protocol = http10
	}
	r.setURL(x, h)
	if n := len(h.Headers); n > 0 {
		hs := sh.slab.headers(n)
		for i, f := range h.Headers {
			hs[i] = Header{x.String(f.Name), x.String(f.Value)}
		}
		r.Headers = hs
	}
	r.Hostname = x.PeerIP()
	r.Body = x.Body()
	return r
}

// setURL splits the request-target into r.URL, decoding its path.
func (r *Request) setURL(x *conn.Exchange, h *parser.Head) {
	u := &r.URL
	u.Path = x.String(h.Path)
	if h.Escaped || hasEscapedSubDelim(u.Path) {
		u.setPath(u.Path)
	}
	switch h.Form {
	case parser.FormAbsolute:
		u.Scheme, u.Host = x.String(h.Scheme), x.String(h.Authority)
		if u.Path == "" {
			u.Path = "/" // RFC 9110 §4.2.3
		}
	case parser.FormAuthority:
		u.Host = x.String(h.Authority)
	}
	if h.HasQuery {
		u.RawQuery = x.String(h.Query)
	}
}

// srv returns the server the request belongs to.
func (r *Request) srv() *Server { return r.x.Owner().(*shard).srv }

// Loop returns the loop the request is served on: its futures, timers and
// callbacks belong there.
func (r *Request) Loop() *Loop { return loopOf(r.x.Loop()) }

// Respond answers the request with code, the content and headers (Nim's
// respond; nil headers means none). The server adds Content-Length (unless
// headers have one), Date (unless headers have one) and Connection when it
// will close the connection; HEAD responses and 1xx/204/304 carry no body.
//
// Respond may be called from any goroutine: the response is handed to the
// loop, which writes it in request order. The future completes once the
// response is accepted; it fails with ErrResponded if the request was
// already answered (or is over), ErrClosed if the client is gone, and
// ErrStatus, ErrHeader, ErrContentLength or ErrChunked for a response it
// refuses to send (the request may then be answered again).
func (r *Request) Respond(code int, content string, headers Headers) *Future {
	x, gen := r.x, r.gen
	if err := x.Claim(gen); err != nil {
		return x.Loop().Failed(err)
	}
	x.Fields = appendFields(x.Fields[:0], headers)
	if err := x.Commit(gen, code, content); err != nil {
		return x.Loop().Failed(err)
	}
	return x.Loop().Done()
}

// SendHeaders starts a response whose body the handler writes itself
// (Nim's sendHeaders): it sends "HTTP/1.1 200 OK", headers, Date and the
// empty line, once every earlier response on the connection has gone out;
// the future completes then. The handler then writes the body with
// Client.Send, which enforces the framing the headers declare:
//
//   - Content-Length: exactly that many bytes. Bytes past it are dropped
//     and the write fails with ErrContentLength; a body left short when the
//     handler's future finishes (or Client.Close is called) fails the same
//     way. Either way the connection closes after the response, so that the
//     client can tell; a complete body keeps it open.
//   - Transfer-Encoding: chunked: the handler writes the chunks, and the
//     server checks them as they pass; invalid coding fails with ErrChunked
//     and closes the connection. The last chunk ends the response. To an
//     HTTP/1.0 client only the chunks' data is sent, delimited by closing.
//   - neither: the body ends by closing the connection, when the handler's
//     future finishes or the handler calls Client.Close.
//
// A response to HEAD, or with status 204 or 304, has no body: what the
// handler writes is dropped (RFC 9110 §9.3.2). With pipelining, bytes
// written before the head went out wait for it; they never overtake an
// earlier response.
//
// Unlike Nim's, which writes the header lines alone and leaves the status
// line and the empty line to raw sends, this writes the whole head. On the
// loop only; SendStatus sets another status.
func (r *Request) SendHeaders(headers Headers) *Future { return r.SendStatus(200, headers) }

// SendStatus is SendHeaders with a status code. To an upgrade request,
// 101 hands the connection to the handler once the head is out (as
// Respond(101, ...) does).
func (r *Request) SendStatus(code int, headers Headers) *Future {
	x, gen := r.x, r.gen
	x.Loop().MustBeOnLoop("Request.SendStatus")
	if err := x.Claim(gen); err != nil {
		return x.Loop().Failed(err)
	}
	x.Fields = appendFields(x.Fields[:0], headers)
	f, err := x.CommitHead(gen, code, conn.HandlerFramed)
	if err != nil {
		return x.Loop().Failed(err)
	}
	r.dropBody = r.Method == MethodHead || code == 204 || code == 304
	return f
}

// appendFields converts response headers into the exchange's fields.
func appendFields(fs []conn.Field, headers Headers) []conn.Field {
	for _, h := range headers {
		fs = append(fs, conn.Field(h))
	}
	return fs
}
