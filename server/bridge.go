package server

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"asynchttpserver.dev/internal/poller"
)

// Bridge serves a net/http Handler on the reactor: a ServeMux with Go 1.22
// patterns, a router (chi, gorilla/mux), middleware, a WebSocket library
// that hijacks the connection. Each request becomes the *http.Request
// net/http's server would build, and the handler answers through an
// http.ResponseWriter that behaves like net/http's (see Bridge.Serve);
// the loop does all the reading and writing.
//
//	b := server.NewBridge(mux)
//	srv := server.New(server.StreamBodies(b.StreamBody))
//	server.WaitFor(srv.Serve(8080, b.Serve, ""))
//
// Which mode to pick:
//
//   - By default (goroutine mode) each request's handler runs in a
//     goroutine of its own, as under net/http, so it may block: on a
//     database, on another service, on the request body, on a slow
//     client. At most MaxHandlers of them run at once; later requests
//     wait their turn. This is the mode for any handler you did not write
//     yourself, and for every handler that does I/O.
//   - Inline runs each handler on the loop itself, with no goroutine and
//     no hand-over: the fastest, for handlers that compute their answer
//     from the request alone (a JSON hello, a lookup in memory, a
//     redirect) and never block. A handler that blocks on the loop stops
//     every connection of the server while it does. Request bodies then
//     arrive whole (up to MaxBody) before the handler runs.
//
// A Bridge may serve several servers and loops at once.
type Bridge struct {
	h           http.Handler
	inline      bool
	maxHandlers int64
	bodyLimit   int64

	yields sync.Map // *poller.Loop → *loopYield (goroutine mode, one P)
	last   atomic.Pointer[loopYield]
	procs  atomic.Int32 // GOMAXPROCS, read now and then
	served atomic.Uint32

	mu       sync.Mutex // guards what follows (goroutine mode)
	busy     int64      // workers running a handler
	idle     []*worker  // workers waiting for a request, the most recent last
	waiting  []*responseWriter
	trimming bool // a trim of idle workers is scheduled
}

// BridgeOption configures a Bridge.
type BridgeOption func(*Bridge)

// DefaultMaxHandlers is how many handlers a Bridge runs at once in
// goroutine mode unless MaxHandlers says otherwise.
const DefaultMaxHandlers = 10000

// Inline runs the handler on the loop, in the callback, instead of in a
// goroutine: for handlers that never block (see Bridge). Request bodies
// then arrive whole, and Bridge.StreamBody asks for none to be streamed.
func Inline() BridgeOption { return func(b *Bridge) { b.inline = true } }

// MaxHandlers bounds the handlers running at once in goroutine mode
// (default DefaultMaxHandlers): past it, requests wait, in the order they
// arrived, for a handler to finish; the finishing goroutine takes the
// next one over. Handler goroutines are kept between requests (idle ones
// exit after 10 s), so there are never more than this many. It bounds what a burst of slow requests can hold:
// goroutine stacks, request bodies being read, responses being written.
func MaxHandlers(n int) BridgeOption {
	return func(b *Bridge) {
		if n > 0 {
			b.maxHandlers = int64(n)
		}
	}
}

// BodyLimit sets the largest request body a handler may read in pieces
// (a body streamed to it: see Bridge.StreamBody), in place of the
// server's MaxBody; a negative n lifts the limit, as net/http has none
// (handlers then bound bodies themselves, with http.MaxBytesReader). A
// larger body fails the handler's reads and is answered 413. Bodies
// read whole before the handler runs stay bounded by MaxBody.
func BodyLimit(n int64) BridgeOption { return func(b *Bridge) { b.bodyLimit = n } }

// NewBridge returns a Bridge serving h.
func NewBridge(h http.Handler, opts ...BridgeOption) *Bridge {
	b := &Bridge{h: h, maxHandlers: DefaultMaxHandlers}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Handler returns a Callback serving h: NewBridge(h, opts...).Serve. The
// server it serves reads request bodies whole (up to MaxBody) before the
// handler runs, unless it was created with StreamBodies(b.StreamBody) of
// a Bridge b (see Bridge.StreamBody).
func Handler(h http.Handler, opts ...BridgeOption) Callback {
	return NewBridge(h, opts...).Serve
}

// wholeBodyMax is the largest Content-Length body that StreamBody lets
// the server read whole before the handler runs: it has (nearly always)
// arrived with the head, and reading it from memory costs the handler no
// trip to the loop per read.
const wholeBodyMax = 16 << 10

// StreamBody is the bridge's choice for StreamBodies: create the server
// with server.StreamBodies(b.StreamBody) and, in goroutine mode, the
// handler's Request.Body reads the body from the connection as it
// arrives, with flow control (the client is read only as fast as the
// handler reads), and "Expect: 100-continue" is answered only when the
// handler first reads the body, as net/http does. Small bodies (up to 16
// KiB, with a Content-Length and no 100-continue) are read whole first,
// which costs less. An inline Bridge streams none: its handlers cannot
// wait for a body.
func (b *Bridge) StreamBody(req *Request) bool {
	if b.inline {
		return false
	}
	h := &req.x.Head
	return h.Chunked || h.Expect100 || h.ContentLength > wholeBodyMax
}

// Serve is the Bridge's Callback: it builds the *http.Request and runs
// the handler, in a goroutine or inline, with a ResponseWriter that
// behaves as net/http's does:
//
//   - The status is 200 unless WriteHeader says otherwise; header changes
//     after WriteHeader (or the first Write) have no effect, but for
//     trailers. A 1xx status (103 Early Hints, 100 Continue) sends an
//     interim response with the headers set so far, and the handler goes
//     on to the final one.
//   - A Content-Type the handler did not set is sniffed from the first
//     512 bytes of the body (http.DetectContentType).
//   - A body that is complete when the handler returns and small (2 KiB)
//     goes out with a Content-Length, in one write with its head; a larger
//     or flushed one is chunked (to an HTTP/1.0 client, delimited by
//     closing), or takes the Content-Length the handler set. HEAD
//     responses, 204 and 304 carry no body.
//   - It implements http.Flusher, http.Hijacker, io.ReaderFrom (sendfile
//     for files), io.StringWriter, the deprecated http.CloseNotifier, and
//     the deadlines and full duplex of
//     http.ResponseController: SetReadDeadline bounds the handler's body
//     reads, SetWriteDeadline its writes (a write past it closes the
//     connection).
//   - A handler that panics gets its request a 500 if its response has not
//     started (logged, with the stack); one whose response has started has
//     its connection closed, so the client sees it cut short.
//     http.ErrAbortHandler closes the connection without logging.
//
// The request's Context is cancelled (context.Canceled) when the client
// goes away, when the server begins to close (the signal for a handler
// holding a hijacked connection to say goodbye), or when the handler has
// returned; it costs nothing until the handler asks for it. "OPTIONS *" is
// answered by the bridge, as by net/http's server, without the handler.
func (b *Bridge) Serve(req *Request) *Future {
	w := &responseWriter{b: b, req: req, inline: b.inline, clen: -1, peer: req.x.Peer()}
	w.ctx.w = w
	l := req.x.Loop()
	if b.bodyLimit != 0 && req.x.BodyStreamed(req.gen) {
		req.x.SetBodyLimit(req.gen, b.bodyLimit) // n <= 0 lifts it
	}
	if b.inline {
		w.serve()
		return l.Done()
	}
	w.fut.Init(l)
	w.fin.w = w
	b.dispatch(w)
	b.yieldSoon(l)
	return &w.fut
}

// loopYield is a loop's yield to the handler goroutines it has handed
// requests to, scheduled once per iteration of the loop.
type loopYield struct {
	l         *poller.Loop
	scheduled bool // on the loop only
	run       func()
}

// yieldSoon makes the loop, once it has read what it can in this
// iteration, give its processor to the handler goroutines it started
// (runtime.Gosched), when there is only one (GOMAXPROCS=1, one core).
//
// Otherwise the loop would go on to block in epoll_wait with the handlers
// runnable but not running: the runtime hands a processor held by a
// goroutine in a system call over to other goroutines only when sysmon
// notices, 20 µs to 10 ms later, and the handlers' answers then wake the
// loop through its eventfd. Yielding instead costs two thread switches
// per batch of requests, and the answers wait in the loop's queue, which
// it takes at once. With more processors the handlers run in parallel as
// soon as they are handed over, and the loop never yields.
func (b *Bridge) yieldSoon(l *poller.Loop) {
	if b.served.Add(1)%4096 == 1 {
		b.procs.Store(int32(runtime.GOMAXPROCS(0)))
	}
	if b.procs.Load() != 1 {
		return
	}
	y := b.last.Load()
	if y == nil || y.l != l {
		v, _ := b.yields.LoadOrStore(l, &loopYield{l: l})
		y = v.(*loopYield)
		if y.run == nil {
			y.run = func() {
				y.scheduled = false
				runtime.Gosched()
			}
		}
		b.last.Store(y)
	}
	if !y.scheduled {
		y.scheduled = true
		l.CallSoon(y.run)
	}
}

// worker is a handler goroutine. Workers are kept between requests, idle
// ones on a stack (the most recently used first, its stack warm and grown
// to what handlers need: a new goroutine's would grow, by copying, on
// nearly every request), so that a request costs a channel send, not a
// goroutine.
type worker struct {
	b         *Bridge
	ch        chan *responseWriter // nil: exit
	idleSince time.Time
}

// idleWorkerLife is how long a worker may stay idle before it exits.
const idleWorkerLife = 10 * time.Second

// dispatch hands w to an idle worker, or to a new one while fewer than
// MaxHandlers handlers run; past that, w waits its turn, and the next
// worker to finish takes it.
func (b *Bridge) dispatch(w *responseWriter) {
	b.mu.Lock()
	if n := len(b.idle); n > 0 {
		wk := b.idle[n-1]
		b.idle[n-1] = nil
		b.idle = b.idle[:n-1]
		b.busy++
		b.mu.Unlock()
		wk.ch <- w // buffered: it never blocks the loop
		return
	}
	if b.busy < b.maxHandlers {
		b.busy++
		b.mu.Unlock()
		wk := &worker{b: b, ch: make(chan *responseWriter, 1)}
		go wk.run(w)
		return
	}
	b.waiting = append(b.waiting, w)
	b.mu.Unlock()
}

// run serves w, then the requests that waited meanwhile, then parks until
// it is handed the next.
func (wk *worker) run(w *responseWriter) {
	for w != nil {
		w.serve()
		w = wk.b.next(wk)
	}
}

// next returns the next request for a worker that has finished one:
// one that waited, or, once the worker has parked, the one it is handed
// (nil when it has been idle too long and should exit).
func (b *Bridge) next(wk *worker) *responseWriter {
	b.mu.Lock()
	if len(b.waiting) > 0 {
		w := b.waiting[0]
		b.waiting[0] = nil
		b.waiting = b.waiting[1:]
		if len(b.waiting) == 0 {
			b.waiting = nil
		}
		b.mu.Unlock()
		return w
	}
	b.busy--
	wk.idleSince = time.Now()
	b.idle = append(b.idle, wk)
	if !b.trimming {
		b.trimming = true
		time.AfterFunc(idleWorkerLife, b.trim)
	}
	b.mu.Unlock()
	return <-wk.ch
}

// trim ends the workers idle for longer than idleWorkerLife: the bottom
// of the idle stack, the least recently used.
func (b *Bridge) trim() {
	b.mu.Lock()
	defer b.mu.Unlock()
	cutoff := time.Now().Add(-idleWorkerLife)
	n := 0
	for n < len(b.idle) && b.idle[n].idleSince.Before(cutoff) {
		b.idle[n].ch <- nil
		n++
	}
	b.idle = append(b.idle[:0], b.idle[n:]...)
	if b.trimming = len(b.idle) > 0; b.trimming {
		time.AfterFunc(idleWorkerLife, b.trim)
	}
}

// serve runs the handler and finishes the response it leaves.
func (w *responseWriter) serve() {
	defer w.afterHandler()
	hr := w.newHTTPRequest()
	if hr.RequestURI == "*" && hr.Method == "OPTIONS" {
		globalOptions(w, hr) // as net/http's server answers it, without the handler
		return
	}
	w.b.h.ServeHTTP(w, hr)
}

// globalOptions answers "OPTIONS *" as net/http's server does: 200, an
// empty body, and the request's body (a little of it) read and dropped.
func globalOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 4<<10))
	}
}

// afterHandler is serve's deferred half: it recovers a panic (which it
// can only do as the deferred function itself) and finishes the response.
func (w *responseWriter) afterHandler() {
	if p := recover(); p != nil {
		w.panicked(p)
	} else {
		w.finish()
	}
	w.ctx.end()
}

// panicked handles a handler's panic: logged (but http.ErrAbortHandler,
// net/http's way to drop a connection quietly), then the request gets a
// 500 if nothing of its response went out, else its connection closes.
func (w *responseWriter) panicked(p any) {
	abort := p == http.ErrAbortHandler
	if !abort {
		r := w.req
		r.srv().logger().Error("asynchttpserver: http.Handler panicked",
			"method", r.MethodName, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
	w.handlerDone = true
	w.fin.abort, w.fin.silent = true, abort
	w.endOnLoop()
}

// finish ends the response the handler left: its head if it wrote none,
// what it buffered, the end of a streamed body with its trailers.
func (w *responseWriter) finish() {
	if !w.hijacked {
		if !w.wroteHeader {
			w.WriteHeader(http.StatusOK)
		}
		if !w.inline {
			w.body.drainAfterHandler()
		}
		w.fin.trailers = w.finalTrailers()
		if w.err != nil { // the connection failed, or a write deadline passed
			w.fin.abort, w.fin.silent = true, true
		}
	}
	w.handlerDone = true
	w.endOnLoop()
}

// endOnLoop runs the end of the response on the loop: at once inline,
// else handed to the loop after the writes this goroutine handed over,
// which it follows in the loop's queue. The goroutine does not wait.
func (w *responseWriter) endOnLoop() {
	if w.inline {
		w.fin.w = w
		w.fin.Run()
		return
	}
	w.req.x.Loop().PostRunner(&w.fin)
}

// finisher is the loop's part of a finished handler (a poller.Runner, so
// that handing it over allocates nothing).
type finisher struct {
	w        *responseWriter
	trailers Headers
	abort    bool // the handler panicked
	silent   bool // with http.ErrAbortHandler: close without a response
}

// Run ends the response on the loop, then tells the server that the
// handler is done.
func (f *finisher) Run() {
	w := f.w
	r := w.req
	switch {
	case w.hijacked:
	case f.abort && !w.committed && !f.silent:
		r.Respond(http.StatusInternalServerError, "Internal Server Error\n", Headers{
			{Name: "Content-Type", Value: "text/plain; charset=utf-8"},
			{Name: "X-Content-Type-Options", Value: "nosniff"},
		})
	case f.abort:
		r.x.Abort(r.gen)
	case !w.committed:
		w.respondWhole()
	default:
		w.endStream(f.trailers)
	}
	if !w.inline {
		w.fut.Complete()
	}
}
