package server

import (
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// responseWriter is a bridged request: the http.ResponseWriter its
// handler writes to, and everything else the bridge keeps for it (the
// request body, the handler's future), in one allocation.
//
// The handler's side (Header, WriteHeader, Write, Flush...) belongs to
// the handler's goroutine, as net/http's ResponseWriter does; it reaches
// the loop only by handing it functions (Post) or, inline, by calling
// them, so that the loop alone touches the connection.
type responseWriter struct {
	b      *Bridge
	req    *Request
	hr     *http.Request
	peer   netip.AddrPort // the client's address, taken on the loop
	inline bool
	fut    Future   // the handler's future (goroutine mode)
	fin    finisher // the loop's part of the end
	ctx    requestContext
	body   requestBody
	url    url.URL   // hr.URL
	vals   [8]string // hr.Header's values, for the first fields
	fields [4]Header // head's backing array, for small heads
	small  [320]byte // pre's backing array, for small bodies

	header      http.Header
	status      int
	wroteHeader bool
	head        Headers // the header at WriteHeader, as it goes on the wire
	sniff       bool    // no Content-Type: sniff one from the body
	chunkedTE   bool    // the handler asked for chunked coding
	noLength    bool    // Content-Length set to nil: none added
	trailers    []string
	snapKeys    int   // the header's size at WriteHeader
	prefixed    bool  // it had http.TrailerPrefix keys then
	clen        int64 // the Content-Length the handler set, or -1
	written     int64

	pre         []byte // the body while it may still go out whole (preMax)
	committed   bool   // the head has been handed to the server
	st          *Stream
	cur, spare  []byte // a streamed body's buffer, and the one the loop has
	inFlight    bool   // a hand-over to the loop has not reported yet
	done        chan error
	err         error // the first write error: later writes fail with it
	hijacked    bool
	handlerDone bool

	dmu      sync.Mutex // the deadlines, set from any goroutine
	rdl, wdl time.Time
}

// preMax is how much body is kept back while the response may still go
// out whole, with a Content-Length, in one write with its head: past it
// the head goes out and the body is chunked (net/http keeps as much).
const preMax = 2 << 10

// chunkMax is how much a streamed body gathers before it is handed to the
// loop (as one chunk): while the loop writes one buffer, the handler fills
// the other.
const chunkMax = 32 << 10

// Write implements http.ResponseWriter (and io.Writer).
func (w *responseWriter) Write(p []byte) (int, error) {
	if err := w.beforeWrite(len(p)); err != nil || len(p) == 0 {
		return 0, err
	}
	if !w.committed {
		k := min(len(p), preMax-len(w.pre))
		if k == len(p) {
			if w.pre == nil {
				w.pre = w.small[:0]
			}
			w.pre = append(w.pre, p...)
			return len(p), nil
		}
		w.pre = append(w.pre, p[:k]...)
		w.commit()
		n, err := w.writeStreamed(p[k:])
		return k + n, err
	}
	return w.writeStreamed(p)
}

// WriteString implements io.StringWriter: a body written as strings
// (io.WriteString, fmt.Fprint's fast path) is copied once, into the body
// kept back, not first into a []byte.
func (w *responseWriter) WriteString(s string) (int, error) {
	if w.committed || len(w.pre)+len(s) > preMax {
		return w.Write([]byte(s))
	}
	if err := w.beforeWrite(len(s)); err != nil || len(s) == 0 {
		return 0, err
	}
	if w.pre == nil {
		w.pre = w.small[:0]
	}
	w.pre = append(w.pre, s...)
	return len(s), nil
}

// beforeWrite does what net/http's response.write does before a write:
// the implicit WriteHeader(200), and the refusals.
func (w *responseWriter) beforeWrite(n int) error {
	if err := w.implicitHeader(); err != nil {
		return err
	}
	switch {
	case n == 0:
		return nil
	case !bodyAllowed(w.status):
		return http.ErrBodyNotAllowed
	}
	w.written += int64(n)
	if w.clen >= 0 && w.written > w.clen {
		w.written -= int64(n)
		return http.ErrContentLength
	}
	return w.err
}

// implicitHeader refuses a writer that was hijacked or outlived its
// handler, and otherwise sends the implicit WriteHeader(200) if the handler
// sent none, as net/http does before a write or a flush.
func (w *responseWriter) implicitHeader() error {
	switch {
	case w.hijacked:
		return http.ErrHijacked
	case w.handlerDone:
		return errAfterHandler
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return nil
}

// deadlineTimer returns a channel that receives at d (nil, which never
// receives, for the zero time) and the function that stops its timer.
func deadlineTimer(d time.Time) (<-chan time.Time, func() bool) {
	if d.IsZero() {
		return nil, noTimer
	}
	t := time.NewTimer(time.Until(d))
	return t.C, t.Stop
}

func noTimer() bool { return false }

// errAfterHandler is the error of a write after the handler returned.
var errAfterHandler = &bridgeError{"server: ResponseWriter used after its handler returned"}

type bridgeError struct{ s string }

func (e *bridgeError) Error() string { return e.s }

// writeStreamed adds p to a streamed body, handing it to the loop a
// buffer at a time.
func (w *responseWriter) writeStreamed(p []byte) (int, error) {
	if w.req.Method == MethodHead {
		return len(p), nil // nothing of it goes out (net/http eats it too)
	}
	n := len(p)
	for len(p) > 0 {
		if w.err != nil {
			return n - len(p), w.err
		}
		if w.cur == nil {
			w.cur = make([]byte, 0, min(max(len(p), 4<<10), chunkMax))
		}
		k := min(len(p), chunkMax-len(w.cur))
		w.cur = append(w.cur, p[:k]...)
		p = p[k:]
		if len(w.cur) >= chunkMax {
			w.handOver()
		}
	}
	return n, w.err
}

// commit hands the head and the body kept so far to the loop, starting a
// streamed response (the body continues in chunks, or to the
// Content-Length the handler set).
func (w *responseWriter) commit() {
	w.committed = true
	pre, hdrs := w.pre, w.headFor(w.pre)
	w.pre = nil
	r := w.req
	w.async(func() *Future {
		l := r.x.Loop()
		r.x.ForgoContinue(r.gen)
		st, err := r.Stream(w.status, hdrs)
		if err == ErrHeader {
			st, err = r.Stream(w.status, sanitize(hdrs))
		}
		if err != nil {
			return l.Failed(err)
		}
		w.st = st
		if len(pre) == 0 || r.Method == MethodHead {
			return l.Done()
		}
		return st.Send(pre)
	})
}

// handOver gives the streamed body gathered so far to the loop, and goes
// on with the other buffer once the loop is done with it.
func (w *responseWriter) handOver() {
	p := w.cur
	if w.inline {
		w.async(func() *Future { return w.st.Send(p) })
		w.cur = p[:0] // Send copied it
		return
	}
	w.settle()
	if w.err != nil {
		return
	}
	w.async(func() *Future { return w.st.Send(p) })
	w.cur, w.spare = w.spare[:0], p
}

// async runs fn on the loop: inline, at once (a failure is kept); from
// the handler's goroutine, handed over without waiting; settle waits for
// its future.
func (w *responseWriter) async(fn func() *Future) {
	if w.inline {
		if f := fn(); f.Failed() && w.err == nil {
			w.err = f.Err()
		}
		return
	}
	if w.done == nil {
		w.done = make(chan error, 1)
	}
	w.inFlight = true
	w.req.x.Loop().Post(func() {
		f := fn()
		if f.Finished() {
			w.done <- f.Err()
			return
		}
		f.AddCallback(func() { w.done <- f.Err() })
	})
}

// settle waits for the hand-over in flight: its future completes once the
// connection's unsent output is back under the low-water mark. A write
// deadline that passes first closes the connection, as a net.Conn write
// timing out leaves it unusable.
func (w *responseWriter) settle() {
	if !w.inFlight {
		return
	}
	timeout, stop := deadlineTimer(w.writeDeadline())
	defer stop()
	var err error
	select {
	case err = <-w.done:
		w.inFlight = false
	case <-timeout:
		w.inFlight = false // its report, when it comes, waits in done unread
		err = os.ErrDeadlineExceeded
		r := w.req
		r.x.Loop().Post(func() { r.x.Abort(r.gen) })
	case <-w.req.srv().gone:
		w.inFlight = false
		err = ErrServerClosed
	}
	if err != nil && w.err == nil {
		w.err = err
	}
}

// wait runs fn on the loop and waits for its future (see async, settle).
func (w *responseWriter) wait(fn func() *Future) error {
	w.async(fn)
	w.settle()
	return w.err
}

// onLoop runs fn on the loop without waiting: inline at once, else handed
// over, after what this goroutine handed over before.
func (w *responseWriter) onLoop(fn func()) {
	if w.inline {
		fn()
		return
	}
	w.req.x.Loop().Post(fn)
}

// Flush implements http.Flusher: the head goes out if it has not, and
// what is buffered follows; it returns once the connection's unsent output
// is under the low-water mark (the client has it, or is about to).
func (w *responseWriter) Flush() { w.FlushError() }

// FlushError is Flush with its error, for http.ResponseController.
func (w *responseWriter) FlushError() error {
	if err := w.implicitHeader(); err != nil {
		return err
	}
	if !w.committed {
		w.commit()
	} else if len(w.cur) > 0 {
		w.handOver()
	}
	w.settle()
	return w.err
}

// respondWhole sends a response whose head has not gone out, now that the
// handler is done: in one piece, with a Content-Length, when it can be;
// as a stream otherwise (trailers, chunked coding asked for, a
// Content-Length the body falls short of, HEAD without a body). On the
// loop.
func (w *responseWriter) respondWhole() {
	r := w.req
	r.x.ForgoContinue(r.gen)
	hdrs := w.headFor(w.pre)
	n := int64(len(w.pre))
	isHead := r.Method == MethodHead
	switch {
	case w.status == http.StatusSwitchingProtocols:
		// A 101 without Hijack: nobody would speak the new protocol.
		r.Respond(w.status, "", hdrs)
		r.x.Abort(r.gen)
	case w.chunkedTE || w.noLength || len(w.fin.trailers) > 0 || len(w.trailers) > 0 ||
		w.clen >= 0 && w.clen != n && !isHead || isHead && n == 0 && w.clen < 0:
		st, err := r.Stream(w.status, hdrs)
		if err == ErrHeader {
			st, err = r.Stream(w.status, sanitize(hdrs))
		}
		if err != nil {
			if err != ErrResponded && err != ErrClosed { // HandlerTimeout answered, or the client left
				w.logf("http: response not sent: " + err.Error())
			}
			return
		}
		if n > 0 {
			st.Send(w.pre)
		}
		st.End(w.fin.trailers)
	default:
		var body string
		if n > 0 && !isHead {
			body = unsafe.String(unsafe.SliceData(w.pre), len(w.pre)) // never written again
		}
		if isHead && w.clen < 0 {
			hdrs = append(hdrs[:len(hdrs):len(hdrs)], Header{Name: "Content-Length", Value: strconv.FormatInt(n, 10)})
		}
		f := r.Respond(w.status, body, hdrs)
		if f.Failed() && f.Err() == ErrHeader {
			f = r.Respond(w.status, body, sanitize(hdrs))
		}
		if f.Failed() && f.Err() != ErrClosed && f.Err() != ErrResponded {
			w.logf("http: response not sent: " + f.Err().Error())
		}
	}
	w.pre = nil
}

// endStream ends a streamed response: the rest of its body, then the end
// with the trailers. On the loop.
func (w *responseWriter) endStream(trailers Headers) {
	if w.st == nil {
		return // its start failed
	}
	if len(w.cur) > 0 && w.req.Method != MethodHead {
		w.st.Send(w.cur)
	}
	w.st.End(trailers)
}

// SetReadDeadline implements http.ResponseController's read deadline: a
// read of the request body that has not returned by t fails with
// os.ErrDeadlineExceeded (the read goes on, and a later Read, under a
// later deadline, takes its data). It applies to reads that start after
// it. The zero time means none.
func (w *responseWriter) SetReadDeadline(t time.Time) error {
	w.dmu.Lock()
	w.rdl = t
	w.dmu.Unlock()
	return nil
}

// SetWriteDeadline implements http.ResponseController's write deadline: a
// write or Flush still waiting for the client at t fails with
// os.ErrDeadlineExceeded, and the connection closes (the client sees the
// response cut short). The zero time means none.
func (w *responseWriter) SetWriteDeadline(t time.Time) error {
	w.dmu.Lock()
	w.wdl = t
	w.dmu.Unlock()
	return nil
}

func (w *responseWriter) readDeadline() time.Time {
	w.dmu.Lock()
	defer w.dmu.Unlock()
	return w.rdl
}

func (w *responseWriter) writeDeadline() time.Time {
	w.dmu.Lock()
	defer w.dmu.Unlock()
	return w.wdl
}

// EnableFullDuplex implements http.ResponseController's full duplex: the
// request body stays readable while the response is written, until the
// response ends. It always is here.
func (w *responseWriter) EnableFullDuplex() error { return nil }

// CloseNotify implements the deprecated http.CloseNotifier: the channel
// receives true if the client goes away before the request is over. Use
// the request's Context.
func (w *responseWriter) CloseNotify() <-chan bool {
	ch := make(chan bool, 1)
	ctx := &w.ctx
	done := ctx.Done() // registers now
	go func() {
		<-done
		if ctx.clientGone() {
			ch <- true
		}
	}()
	return ch
}
