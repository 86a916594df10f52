package server

import (
	"asynchttpserver.dev/internal/conn"
	"asynchttpserver.dev/internal/parser"
)

// Request is a request being served (Nim's Request).
//
// Lifetime: the strings of a Request (URL, Headers, Body) share the
// connection's input buffer, which is why a request costs no copy. They,
// and the Request itself, stay valid until the request is done: its
// response written and its handler's future finished. After that the
// server reuses them for a later request on the same connection; copy
// what you need to keep (strings.Clone). Respond and SendHeaders on a
// request that is done return ErrResponded, or ErrClosed once its
// connection has closed.
type Request struct {
	// Client is the connection's socket. A handler of an upgrade request
	// (Connection: upgrade, e.g. WebSocket) owns it: after answering 101
	// with Respond (or writing its own response), it reads and writes
	// through Client, starting with any bytes the client sent after the
	// request, and closes it when done. The server neither parses nor
	// closes it any more. After SendHeaders, a handler writes its body
	// through Client.
	Client *Socket
	// Method is the request method.
	Method Method
	// Headers are the request's header fields, in order, with repeats.
	Headers Headers
	// Protocol is the HTTP version.
	Protocol Protocol
	// URL is the request-target.
	URL URL
	// Hostname is the client's IP address, as in Nim (not the Host
	// header: that is Headers.Get("Host")).
	Hostname string
	// Body is the request body, read in full before the handler runs (as
	// in Nim), chunked bodies decoded.
	Body string

	x        *conn.Exchange
	panicked bool // its handler panicked (set by the dispatcher)
}

// Respond answers the request with code, the content and headers (Nim's
// respond; nil headers means none). The server adds Content-Length (unless
// headers have one), Date (unless headers have one) and Connection when it
// will close the connection; HEAD responses and 1xx/204/304 carry no body.
//
// Respond may be called from any goroutine: the response is handed to the
// loop, which writes it in request order. The future completes once the
// response is accepted; it fails with ErrResponded if the request was
// already answered, ErrClosed if the client is gone, and ErrStatus,
// ErrHeader or ErrContentLength for a response it refuses to send.
func (r *Request) Respond(code int, content string, headers Headers) *Future {
	x := r.x
	if err := x.Claim(); err != nil {
		return x.Loop().Failed(err)
	}
	fs := x.Fields[:0]
	for _, h := range headers {
		fs = append(fs, conn.Field(h))
	}
	x.Fields = fs
	if err := x.Commit(code, content); err != nil {
		return x.Loop().Failed(err)
	}
	return x.Loop().Done()
}

// SendHeaders starts a response that the handler streams itself (Nim's
// sendHeaders): it sends "HTTP/1.1 200 OK", headers, Date and the empty
// line; the handler then writes the body through Client. If headers frame
// the body (Content-Length, or Transfer-Encoding: chunked with the chunks
// written by the handler) the connection is kept alive after the
// handler's future finishes; otherwise the body is delimited by closing
// the connection.
//
// Unlike Nim's, which writes the header lines alone and leaves the status
// line and the empty line to raw sends, this writes the whole head: with
// pipelining, bytes written before it could overtake earlier responses.
// The future completes once the head is queued, which waits until every
// earlier response on the connection has been: write the body only then.
// Call it on the loop; SendStatus sets another status.
func (r *Request) SendHeaders(headers Headers) *Future { return r.SendStatus(200, headers) }

// SendStatus is SendHeaders with a status code.
func (r *Request) SendStatus(code int, headers Headers) *Future {
	x := r.x
	fs := x.Fields[:0]
	for _, h := range headers {
		fs = append(fs, conn.Field(h))
	}
	if x.Responded() {
		if x.Socket().Closed() {
			return x.Loop().Failed(ErrClosed)
		}
		return x.Loop().Failed(ErrResponded)
	}
	x.Fields = fs
	f, err := x.SendHead(code)
	if err != nil {
		return x.Loop().Failed(err)
	}
	return f
}

// fill points r at the exchange's request.
func (r *Request) fill(x *conn.Exchange) {
	h := &x.Head
	r.Method = Method(h.Method)
	if r.Protocol.Minor != int(h.Minor) || r.Protocol.Orig == "" {
		r.Protocol = http11
		if h.Minor == 0 {
			r.Protocol = http10
		}
	}
	r.URL = URL{Path: x.String(h.Path)}
	switch h.Form {
	case parser.FormAbsolute:
		r.URL.Scheme, r.URL.Host = x.String(h.Scheme), x.String(h.Authority)
		if r.URL.Path == "" {
			r.URL.Path = "/" // RFC 9110 §4.2.3
		}
	case parser.FormAuthority:
		r.URL.Host = x.String(h.Authority)
	}
	if h.HasQuery {
		r.URL.RawQuery = x.String(h.Query)
	}
	hs := r.Headers[:0]
	for _, f := range h.Headers {
		hs = append(hs, Header{x.String(f.Name), x.String(f.Value)})
	}
	r.Headers = hs
	r.Body = x.Body()
}
