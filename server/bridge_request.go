package server

import (
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"asynchttpserver.dev/internal/parser"
)

// chunkedCoding is the TransferEncoding of a chunked request.
var chunkedCoding = []string{"chunked"}

// newHTTPRequest builds the *http.Request net/http's server would build
// from the same bytes: Method as sent, URL as url.ParseRequestURI makes
// it, canonical Header without Host and Transfer-Encoding, Host,
// RemoteAddr, Proto, ContentLength (-1 when chunked), TransferEncoding,
// Trailer's declared keys, RequestURI, Close, and the request's context.
// Everything comes from the request's strings, which never change, so
// nothing is copied.
func (w *responseWriter) newHTTPRequest() *http.Request {
	r := w.req
	h := &r.x.Head
	u, err := w.requestURL()
	if err != nil {
		u = &url.URL{Path: r.URL.Path} // the parser let it through: keep what it made of it
	}
	hr := (&http.Request{
		Method:     r.MethodName,
		URL:        u,
		Proto:      r.Protocol.Orig,
		ProtoMajor: r.Protocol.Major,
		ProtoMinor: r.Protocol.Minor,
		Header:     w.httpHeader(),
		Close:      h.Close,
		Host:       u.Host,
		RemoteAddr: remoteAddr(w.peer),
		RequestURI: r.x.String(h.Target),
	}).WithContext(&w.ctx)
	if hr.Host == "" && h.HasHost {
		hr.Host = r.x.String(h.Host)
	}
	switch {
	case h.Chunked:
		hr.ContentLength = -1
		hr.TransferEncoding = chunkedCoding
		hr.Trailer = declaredTrailers(hr.Header)
	case h.ContentLength > 0:
		hr.ContentLength = h.ContentLength
	}
	if hr.ContentLength == 0 {
		hr.Body = http.NoBody
	} else {
		w.body.w = w
		w.body.rest = r.Body
		w.body.streamed = r.x.BodyStreamed(r.gen)
		hr.Body = &w.body
	}
	w.hr = hr
	return hr
}

// remoteAddrs caches the "ip:port" strings of recent clients: a
// keep-alive connection's requests share one instead of formatting and
// allocating it each time. Direct-mapped by port (a client's connections
// take consecutive ports); a slot holds its last client.
var remoteAddrs [256]atomic.Pointer[remoteAddrEntry]

type remoteAddrEntry struct {
	ap netip.AddrPort
	s  string
}

// remoteAddr returns ap as net/http's Request.RemoteAddr: "ip:port".
func remoteAddr(ap netip.AddrPort) string {
	slot := &remoteAddrs[ap.Port()%uint16(len(remoteAddrs))]
	if e := slot.Load(); e != nil && e.ap == ap {
		return e.s
	}
	e := &remoteAddrEntry{ap: ap, s: ap.String()}
	slot.Store(e)
	return e.s
}

// requestURL returns the URL net/http's url.ParseRequestURI makes of the
// target. An origin-form target ("/path?query"), nearly every request's,
// is built from the parser's split and decoded path (which decodes as
// net/url does), without parsing it again; the rare other forms go
// through net/url.
func (w *responseWriter) requestURL() (*url.URL, error) {
	r := w.req
	h := &r.x.Head
	if h.Form == parser.FormOrigin {
		w.url = url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery,
			ForceQuery: h.HasQuery && r.URL.RawQuery == ""}
		return &w.url, nil
	}
	raw := r.x.String(h.Target)
	if r.Method == MethodConnect && !strings.HasPrefix(raw, "/") {
		// net/http parses CONNECT's authority through a fake scheme, then
		// drops the scheme again.
		u, err := url.ParseRequestURI("http://" + raw)
		if u != nil {
			u.Scheme = ""
		}
		return u, err
	}
	return url.ParseRequestURI(raw)
}

// httpHeader returns the request's header fields as an http.Header, as
// net/http's server makes it: canonical keys, repeated fields in one
// slice in order, without Host (it is Request.Host) and, for a chunked
// body, without Transfer-Encoding and Trailer (they are
// Request.TransferEncoding and Request.Trailer). Every value shares one
// backing array, as textproto's do.
func (w *responseWriter) httpHeader() http.Header {
	fields := w.req.Headers
	hdr := make(http.Header, len(fields))
	if len(fields) == 0 {
		return hdr
	}
	chunked := w.req.x.Head.Chunked
	vals := w.vals[:]
	if len(fields) > len(vals) {
		vals = make([]string, len(fields))
	}
	for i, f := range fields {
		k := canonicalKey(f.Name)
		switch {
		case k == "Host":
			continue
		case k == "Transfer-Encoding":
			continue
		case chunked && k == "Trailer":
			hdr[trailerKey] = append(hdr[trailerKey], f.Value) // declaredTrailers takes it
			continue
		}
		vals[i] = f.Value
		if vv, ok := hdr[k]; ok {
			hdr[k] = append(vv, f.Value)
		} else {
			hdr[k] = vals[i : i+1 : i+1]
		}
	}
	// net/http's fixPragmaCacheControl: HTTP/1.0's Pragma: no-cache means
	// Cache-Control: no-cache when there is none.
	if pv, ok := hdr["Pragma"]; ok && len(pv) > 0 && pv[0] == "no-cache" {
		if _, ok := hdr["Cache-Control"]; !ok {
			hdr["Cache-Control"] = []string{"no-cache"}
		}
	}
	return hdr
}

// canonicalKey returns name in canonical form (textproto's
// CanonicalMIMEHeaderKey), checking first, with a table, whether it
// already is: nearly every client sends "Host" and "User-Agent" as they
// should be, and the check is a few instructions a byte where textproto's
// is several times that.
func canonicalKey(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		switch c := name[i]; keyClass[c] {
		case keyLower:
			if upper {
				return textproto.CanonicalMIMEHeaderKey(name)
			}
			upper = false
		case keyUpper:
			if !upper {
				return textproto.CanonicalMIMEHeaderKey(name)
			}
			upper = false
		case keyDash:
			upper = true
		case keyOther:
			upper = false
		default:
			return textproto.CanonicalMIMEHeaderKey(name) // not a token: textproto's rules
		}
	}
	return name
}

// Classes of header name bytes, for canonicalKey.
const (
	keyInvalid = iota
	keyLower
	keyUpper
	keyDash
	keyOther // another token byte
)

var keyClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = keyLower
		case 'A' <= c && c <= 'Z':
			t[c] = keyUpper
		case c == '-':
			t[c] = keyDash
		case '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+.^_`|~", byte(c)) >= 0:
			t[c] = keyOther
		}
	}
	return t
}()

// trailerKey holds the Trailer field of a chunked request in the header
// map while it is built; declaredTrailers takes it out. A key no client
// can send (it is not a token).
const trailerKey = "\x00Trailer"

// declaredTrailers returns the trailer keys a chunked request declares,
// with nil values, as net/http's Request.Trailer before the body is read.
// The values never arrive: the parser checks the trailer section and drops
// it (merging it into the head would let a body smuggle framing fields).
func declaredTrailers(hdr http.Header) http.Header {
	vv, ok := hdr[trailerKey]
	if !ok {
		return nil
	}
	delete(hdr, trailerKey)
	var t http.Header
	for _, v := range vv {
		for _, k := range strings.Split(v, ",") {
			k = textproto.CanonicalMIMEHeaderKey(textproto.TrimString(k))
			switch k {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if t == nil {
				t = make(http.Header)
			}
			t[k] = nil
		}
	}
	return t
}

// requestBody is the http.Request's Body. A body read whole before the
// handler ran is read from memory; a body streamed to the handler is read
// from the connection, through a buffer of the bridge's own, so that a
// read that gives up at its deadline leaves the loop nothing of the
// caller's to write into: the data arrives later, for the next read.
type requestBody struct {
	mu       sync.Mutex
	w        *responseWriter
	rest     string // a body read whole: what is left of it
	streamed bool
	buf      []byte // the streamed body's buffer, filled by the loop
	data     []byte // what of buf is not yet read
	pending  bool   // a read into buf is under way on the loop
	res      chan readResult
	err      error // io.EOF once the body ended
	closed   bool
	sawEOF   bool
}

// streamBodyBuffer is the size of a streamed body's buffer: the
// connection's read-ahead window, so that one trip to the loop can take
// all it has.
const streamBodyBuffer = 16 << 10

// errBodyInline is the error of a streamed body read by an inline handler.
var errBodyInline = errors.New("server: request body streamed to an inline http.Handler, which cannot wait for it (Bridge.StreamBody keeps bodies whole for inline bridges)")

// Read implements io.Reader.
func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return 0, http.ErrBodyReadAfterClose
	case len(p) == 0:
		return 0, nil
	case !b.streamed:
		if b.rest == "" {
			b.sawEOF = true
			return 0, io.EOF
		}
		n := copy(p, b.rest)
		b.rest = b.rest[n:]
		return n, nil
	}
	for len(b.data) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

// fill waits for the next part of a streamed body, asking the loop for it
// unless a read is already under way (one that an earlier Read gave up
// on at its deadline).
func (b *requestBody) fill() error {
	w := b.w
	r := w.req
	l := r.x.Loop()
	if l.Driving() {
		return errBodyInline
	}
	if !b.pending {
		if b.buf == nil {
			size := streamBodyBuffer
			if n := r.x.Head.ContentLength; n > 0 && n < int64(size) {
				size = int(n)
			}
			b.buf = make([]byte, size)
			b.res = make(chan readResult, 1)
		}
		b.pending = true
		buf, gen := b.buf, r.gen
		l.Post(func() {
			f := r.x.ReadBody(gen, buf)
			f.AddCallback(func() {
				n, err := f.Read()
				b.res <- readResult{n, err}
			})
		})
	}
	timeout, stop := deadlineTimer(w.readDeadline())
	defer stop()
	var res readResult
	select {
	case res = <-b.res:
	case <-timeout:
		return os.ErrDeadlineExceeded // the read goes on; the next Read takes its data
	case <-r.srv().gone:
		b.pending = false
		b.err = ErrServerClosed
		return b.err
	}
	b.pending = false
	switch {
	case res.err != nil:
		b.err = bodyError(res.err)
	case res.n == 0:
		b.err, b.sawEOF = io.EOF, true
	default:
		b.data = b.buf[:res.n]
	}
	return nil
}

// bodyError turns the connection's reason for a failed body read into
// what a net/http handler expects: a body read after the response ended
// is a read after close.
func bodyError(err error) error {
	if errors.Is(err, ErrResponded) || errors.Is(err, ErrBodyAbandoned) {
		return http.ErrBodyReadAfterClose
	}
	return err
}

// Close implements io.Closer. What the handler did not read is not read:
// the connection closes after the response (net/http's "early close").
func (b *requestBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return nil
}

// maxPostHandlerRead is how much of a body its handler left unread the
// bridge reads and discards after the handler, so that the connection
// can serve the next request (net/http's maxPostHandlerReadBytes); a
// larger rest closes the connection instead.
const maxPostHandlerRead = 256 << 10

// drainAfterHandler reads what the handler left of a streamed body, up to
// maxPostHandlerRead, before the response ends, so that the connection
// stays open for the next request. It does not when the handler closed the
// body, when a deadline or an error stopped it, or when the client still
// waits for 100 Continue (which would invite a body nobody wants). In the
// handler's goroutine.
func (b *requestBody) drainAfterHandler() {
	if b.w == nil || !b.streamed {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.err != nil || b.pending || b.buf == nil && b.w.req.x.Head.Expect100 {
		return
	}
	var n int
	for n <= maxPostHandlerRead {
		n += len(b.data)
		b.data = nil
		if b.err != nil || b.fill() != nil {
			return
		}
	}
}
