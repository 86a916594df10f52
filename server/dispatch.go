package server

import (
	"errors"
	"fmt"
	"runtime/debug"

	"asynchttpserver.dev/internal/conn"
)

// dispatcher connects the connections' state machines to the callback.
type dispatcher struct{ s *Server }

// errNoResponse is logged for a handler that finished without answering.
var errNoResponse = errors.New("handler finished without responding")

// Serve implements conn.Handler: it fills the exchange's Request (allocated
// on the exchange's first use, then reused) and runs the callback.
func (d *dispatcher) Serve(x *conn.Exchange) {
	r, _ := x.User.(*Request)
	if r == nil {
		// An exchange belongs to one connection for life, so what comes
		// from the connection is set once.
		r = &Request{x: x, Client: x.Socket(), Hostname: x.PeerIP()}
		x.User = r
	}
	r.fill(x)
	r.panicked = false
	f := d.call(r)
	switch {
	case r.panicked:
		d.answerError(r, nil)
		x.HandlerDone()
	case f == nil: // the handler responds later
		x.HandlerDone()
	case f.Finished():
		d.finished(r, f)
	default:
		f.AddCallback(func() { d.finished(r, f) })
	}
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
		d.s.group.Config().Logger.Error("asynchttpserver: handler panicked",
			"method", r.Method.String(), "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// finished runs when the handler's future has finished.
func (d *dispatcher) finished(r *Request, f *Future) {
	x := r.x
	if !x.Responded() && !x.TakeOver() {
		err := f.Err()
		if err == nil {
			err = errNoResponse
		}
		d.answerError(r, err)
	}
	x.HandlerDone()
}

// answerError gives a request whose handler failed a 500, unless it has
// been answered meanwhile.
func (d *dispatcher) answerError(r *Request, err error) {
	if err != nil {
		d.s.group.Config().Logger.Error("asynchttpserver: handler failed",
			"method", r.Method.String(), "path", r.URL.Path, "err", err)
	}
	r.Respond(500, "Internal Server Error", nil)
}
