package server

import (
	"context"
	"errors"
)

// ErrClientGone is the cause of a request's Context once its client went
// away (context.Cause tells it from the server's shutdown and from the
// request's normal end).
var ErrClientGone = errors.New("server: the client went away")

// watcher is what a request's Disconnected and Context wait on: one
// registration with the connection serves both.
type watcher struct {
	gone   *Future
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// watcher returns the request's watcher, registering it with the
// connection on first use. ok is false once the request is over (the
// watcher then stands for the request's end). On the loop.
func (r *Request) watcher() *watcher {
	x, gen := r.x, r.gen
	if w, ok := x.WatchTag(gen).(*watcher); ok {
		return w
	}
	w := &watcher{}
	w.ctx, w.cancel = context.WithCancelCause(r.srv().ctx)
	err := x.Watch(gen, func(gone bool) {
		if gone {
			w.cancel(ErrClientGone)
			if w.gone != nil && !w.gone.Finished() {
				w.gone.Complete()
			}
			return
		}
		w.cancel(nil)
	}, w)
	if err != nil { // the request is over already
		w.cancel(nil)
	}
	return w
}

// Disconnected returns a future that completes if the client goes away
// before the request is over: its connection reaches the end of its input
// or is reset (noticed without a write, also while the handler writes
// nothing), or the connection is closed (by the server too, after its
// shutdown grace). It never completes for a request that ends normally.
// A handler doing long work (server-sent events, long polling, a
// goroutine) stops when it fires. On the loop.
func (r *Request) Disconnected() *Future {
	l := r.x.Loop()
	l.MustBeOnLoop("Request.Disconnected")
	w := r.watcher()
	if w.gone == nil {
		w.gone = l.NewFuture()
		if context.Cause(w.ctx) == ErrClientGone {
			w.gone.Complete()
		}
	}
	return w.gone
}

// Context returns the request's context: it is cancelled when the client
// goes away (cause ErrClientGone), when the server begins to close (cause
// ErrServerClosed), or when the request is over (its response written and
// its handler done; cause context.Canceled). Code in goroutines passes it
// on to stop work nobody waits for. Safe from any goroutine (from one, the
// first call waits for the loop).
func (r *Request) Context() context.Context {
	var ctx context.Context
	r.onLoop(func() error {
		ctx = r.watcher().ctx
		return nil
	})
	return ctx
}
