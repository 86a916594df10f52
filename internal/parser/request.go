package parser

// Span locates bytes in the caller's buffer: buf[Off : Off+Len]. Offsets are
// relative to the start of the window passed to Parse (the first byte of the
// request, including any leading empty lines), so a Span stays valid when the
// caller moves the bytes to another buffer.
type Span struct{ Off, Len uint32 }

// Bytes returns buf[s.Off : s.Off+s.Len]. It aliases buf: no copy is made.
func (s Span) Bytes(buf []byte) []byte { return buf[s.Off : s.Off+s.Len : s.Off+s.Len] }

// end is the offset just past the span.
func (s Span) end() int { return int(s.Off + s.Len) }

// span builds a Span from a start and an end offset.
func span(from, to int) Span { return Span{Off: uint32(from), Len: uint32(to - from)} }

// Method identifies the request method. Methods are case-sensitive tokens
// (RFC 9110 §9.1): "get" is a valid token but not GET, so it is MethodOther.
type Method uint8

// The methods of RFC 9110 §9 and RFC 5789 (PATCH). Any other valid token is
// MethodOther; its name is Head.MethodSpan.
const (
	MethodOther Method = iota // a valid token that is not one of the nine below
	MethodGet
	MethodHead
	MethodPost
	MethodPut
	MethodDelete
	MethodTrace
	MethodOptions
	MethodConnect
	MethodPatch
)

var methodNames = [...]string{"OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"}

// String returns the method's name; MethodOther is "OTHER" (the actual token
// is Head.MethodSpan).
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return "OTHER"
}

// lookupMethod maps a method token to its Method without allocating.
func lookupMethod(b []byte) Method {
	switch len(b) {
	case 3:
		switch string(b) {
		case "GET":
			return MethodGet
		case "PUT":
			return MethodPut
		}
	case 4:
		switch string(b) {
		case "POST":
			return MethodPost
		case "HEAD":
			return MethodHead
		}
	case 5:
		switch string(b) {
		case "PATCH":
			return MethodPatch
		case "TRACE":
			return MethodTrace
		}
	case 6:
		if string(b) == "DELETE" {
			return MethodDelete
		}
	case 7:
		switch string(b) {
		case "OPTIONS":
			return MethodOptions
		case "CONNECT":
			return MethodConnect
		}
	}
	return MethodOther
}

// TargetForm is the form of the request-target (RFC 9112 §3.2).
type TargetForm uint8

// The four request-target forms of RFC 9112 §3.2.1–3.2.4.
const (
	FormOrigin    TargetForm = iota // "/path?query": every method but CONNECT
	FormAbsolute                    // "http://host/path?query": every method but CONNECT
	FormAuthority                   // "host:port": CONNECT only
	FormAsterisk                    // "*": OPTIONS only
)

// Header is one header field line. Value has leading and trailing OWS (SP and
// HTAB) removed; names keep the case the client sent.
type Header struct{ Name, Value Span }

// Head is a parsed request head. Every []byte-valued field is a Span into
// the buffer given to Parser.Parse; nothing is copied.
type Head struct {
	Method     Method
	MethodSpan Span
	Target     Span // the raw request-target
	Form       TargetForm
	Scheme     Span // absolute-form only, e.g. "http" (any letter case)
	Authority  Span // absolute-form and authority-form (CONNECT host:port)

	// Path is the path of an origin- or absolute-form target, without the
	// query. An absolute-form target with an empty path ("http://h" or
	// "http://h?q") gives Len 0; RFC 9110 §4.2.3 makes that equivalent to "/".
	// For asterisk-form it is "*"; for authority-form it is empty.
	Path     Span
	Query    Span // after '?', without it; Len 0 if none
	HasQuery bool // a '?' was present (the query may still be empty)
	Escaped  bool // the target holds a pct-encoded octet ("%2F"): it needs decoding

	Version      Span // "HTTP/1.1"
	Major, Minor uint8

	Headers []Header // in arrival order; the capacity is reused across requests

	ContentLength int64 // -1 when the request has no Content-Length
	Chunked       bool  // Transfer-Encoding is chunked (the only coding accepted)
	Close         bool  // the connection must close after this exchange
	KeepAlive     bool  // an explicit "keep-alive" Connection token was present
	Upgrade       bool  // an "upgrade" Connection token was present
	Expect100     bool  // Expect: 100-continue (case-insensitive)
	Host          Span  // the Host header value
	HasHost       bool
	HeadLen       int // bytes of the head, with leading empty lines and the final empty line
}

// Reset clears r for the next request, keeping the capacity of r.Headers.
func (r *Head) Reset() {
	// Field by field rather than *r = Head{...}: storing the Headers
	// pointer back would need a write barrier check, and its call would
	// make the compiler save Parse's arguments on every call.
	// TestRequestReset checks that no field is forgotten.
	r.Method, r.MethodSpan, r.Target, r.Form = 0, Span{}, Span{}, 0
	r.Scheme, r.Authority, r.Path, r.Query, r.HasQuery, r.Escaped = Span{}, Span{}, Span{}, Span{}, false, false
	r.Version, r.Major, r.Minor = Span{}, 0, 0
	r.Headers = r.Headers[:0]
	r.ContentLength = -1
	r.Chunked, r.Close, r.KeepAlive, r.Upgrade, r.Expect100 = false, false, false, false, false
	r.Host, r.HasHost, r.HeadLen = Span{}, false, 0
}

// Lookup returns the value of the first header field named name, compared
// case-insensitively (ASCII only). buf is the buffer the request was parsed
// from. It does not allocate.
func (r *Head) Lookup(buf []byte, name string) (Span, bool) {
	for _, h := range r.Headers {
		if int(h.Name.Len) == len(name) && EqualFold(h.Name.Bytes(buf), name) {
			return h.Value, true
		}
	}
	return Span{}, false
}

// HasBody reports whether a body follows the head: a positive Content-Length
// or chunked framing. A request without either has no body (RFC 9112 §6.3
// item 7); it is never read until the connection closes.
func (r *Head) HasBody() bool { return r.ContentLength > 0 || r.Chunked }
