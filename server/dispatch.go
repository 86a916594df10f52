package server

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"

	"asynchttpserver.dev/internal/conn"
)

// dispatcher connects the connections' state machines to the callback.
type dispatcher struct {
	s  *Server
	sh *shard
	// next is the Request made for StreamBody, which Serve then takes:
	// a streamed request is dispatched right after StreamBody says so.
	next *Request
}

// errNoResponse is logged for a handler that finished without answering.
var errNoResponse = errors.New("handler finished without responding")

// Serve implements conn.Handler: it makes the exchange's Request and runs
// the callback.
func (d *dispatcher) Serve(x *conn.Exchange) {
	r := d.next
	if r == nil || r.x != x || r.gen != x.Gen() {
		r = d.sh.newRequest(x)
	}
	d.next = nil
	d.sh.requests.Store(d.sh.requests.Load() + 1) // the loop is its only writer: no atomic add
	f := d.call(r)
	switch {
	case r.panicked:
		d.answerError(r, nil)
		d.handlerDone(r)
	case f == nil: // the handler answers later, by itself
		if !x.Answered(r.gen) && !d.s.cfg.handlerTimeout() {
			d.watch(r)
		}
		x.HandlerDone(r.gen)
	case f.Finished():
		d.finished(r, f)
	default:
		f.AddCallback(func() { d.finished(r, f) })
	}
}

// StreamBody implements conn.Handler: it asks StreamBodies' function
// whether x's body goes to its handler in pieces.
func (d *dispatcher) StreamBody(x *conn.Exchange) bool {
	want := d.s.cfg.streamWant
	if want == nil {
		return false
	}
	r := d.sh.newRequest(x)
	if !want(r) {
		return false
	}
	d.next = r
	return true
}

// call runs the callback; a panic is logged and noted in r.panicked.
func (d *dispatcher) call(r *Request) *Future {
	defer d.recoverHandler(r)
	return d.s.cb(r)
}

// recoverHandler is call's deferred recovery. It calls recover itself,
// which is what lets it stop the panic, and it is a plain method rather
// than a closure over call's results: cheaper on the path that does not
// panic, which is every request's.
func (d *dispatcher) recoverHandler(r *Request) {
	if p := recover(); p != nil {
		r.panicked = true
		d.s.logger().Error("asynchttpserver: handler panicked",
			"method", r.Method.String(), "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// finished runs when the handler's future has finished: a request it left
// unanswered gets a 500, and a body it streamed ends.
func (d *dispatcher) finished(r *Request, f *Future) {
	x, gen := r.x, r.gen
	if !x.Answered(gen) {
		err := f.Err()
		if err == nil {
			err = errNoResponse
		}
		d.answerError(r, err)
	}
	d.handlerDone(r)
}

// handlerDone ends the handler's part: a streamed body it did not finish
// ends with it (and a short one is reported).
func (d *dispatcher) handlerDone(r *Request) {
	x, gen := r.x, r.gen
	if x.Streaming(gen) {
		if err := x.EndBody(gen, nil); err != nil {
			d.s.logger().Error("asynchttpserver: streamed response cut short",
				"method", r.Method.String(), "path", r.URL.Path, "err", err)
		}
	}
	x.HandlerDone(gen)
}

// answerError gives a request whose handler failed a 500, unless it has
// been answered meanwhile.
func (d *dispatcher) answerError(r *Request, err error) {
	if err != nil {
		d.s.logger().Error("asynchttpserver: handler failed",
			"method", r.Method.String(), "path", r.URL.Path, "err", err)
	}
	r.Respond(500, "Internal Server Error", nil)
}

// abandoned describes a request whose handler returned nil without
// answering, for the cleanup that runs if the Request is dropped.
type abandoned struct {
	d      *dispatcher
	x      *conn.Exchange
	gen    uint32
	method string
	path   string
}

// watch guards against a handler that returned nil, promising to answer
// later, and then lost the request: once nothing refers to the Request any
// more, nothing can answer it, and its connection would wait forever (no
// timeout applies while a handler works, unless HandlerTimeout is set).
// The garbage collector notices (within one collection; the runtime
// collects at least every two minutes): the request is logged, once, with
// its method and path, and answered 500. (With HandlerTimeout set, the
// timeout answers such a request, 503, and logs it.)
func (d *dispatcher) watch(r *Request) {
	runtime.AddCleanup(r, func(a abandoned) {
		a.x.Loop().Post(a.d.lost(a))
	}, abandoned{d: d, x: r.x, gen: r.gen, method: r.Method.String(), path: r.URL.Path})
}

// lost returns the loop's part of watch's cleanup.
func (d *dispatcher) lost(a abandoned) func() {
	return func() {
		if a.x.Answered(a.gen) {
			return
		}
		d.s.logger().Error("asynchttpserver: handler returned nil and dropped the request without answering",
			"method", a.method, "path", a.path)
		if a.x.Claim(a.gen) == nil {
			a.x.Fields = a.x.Fields[:0]
			a.x.Commit(a.gen, 500, "Internal Server Error")
		}
	}
}
