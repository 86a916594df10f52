package server

import (
	"sync"
	"time"

	"asynchttpserver.dev/internal/poller"
)

// Future is the eventual outcome of an asynchronous operation (Nim's
// Future[void]): Respond, SendHeaders, SleepAsync and Serve return one, and
// a handler returns one. Callbacks run on the future's loop, in order,
// after it finishes.
//
// What is safe where: Finished, Failed and Err may be called from any
// goroutine, and so may Complete and Fail (off the loop they hand the
// completion to the loop, as Post does). AddCallback works on the loop
// only and panics elsewhere.
type Future = poller.Future

// FutureOf is a Future with a value (Nim's Future[T]), as returned by
// Client.Recv and WithTimeout. Value and Read are safe from any goroutine
// once Finished reports true.
type FutureOf[T any] = poller.FutureOf[T]

// Loop is an event loop (Nim's dispatcher): it runs servers, handlers,
// timers and future callbacks, one at a time, on one goroutine locked to
// its OS thread while it runs. The package-level helpers (WaitFor,
// SleepAsync, Post...) use the default loop, as Nim's use the global
// dispatcher; NewLoop makes another, for a server of its own (OnLoop).
//
// Post, Stop and NewFuture are safe from any goroutine. CallSoon,
// SleepAsync and AddTimer work on the loop only (in a handler, callback or
// timer, or before the loop runs) and panic when called from another
// goroutine while the loop runs. WaitFor and Run drive the loop from the
// calling goroutine; one goroutine at a time.
type Loop struct {
	l *poller.Loop
}

// NewLoop creates a loop with its own epoll or kqueue instance.
func NewLoop() (*Loop, error) {
	l, err := poller.New()
	if err != nil {
		return nil, err
	}
	return wrapLoop(l), nil
}

// wrapLoop returns the Loop of l, made once and kept in l.
func wrapLoop(l *poller.Loop) *Loop {
	w := &Loop{l: l}
	l.Owner = w
	return w
}

// loopOf returns the Loop that wraps l.
func loopOf(l *poller.Loop) *Loop {
	if w, ok := l.Owner.(*Loop); ok {
		return w
	}
	return wrapLoop(l) // a loop made inside the package (tests)
}

var (
	defaultOnce sync.Once
	defaultLoop *Loop
)

// DefaultLoop returns the default loop (Nim's getGlobalDispatcher), which
// New's servers use unless given OnLoop.
func DefaultLoop() *Loop {
	defaultOnce.Do(func() { defaultLoop = wrapLoop(poller.Default()) })
	return defaultLoop
}

// WaitFor drives the loop until f has finished and returns its error
// (Nim's waitFor). f must belong to this loop.
func (l *Loop) WaitFor(f *Future) error { return l.l.WaitFor(f) }

// Run drives the loop until Stop is called (Nim's runForever).
func (l *Loop) Run() error { return l.l.Run() }

// Stop makes Run return after the current iteration; safe from any
// goroutine.
func (l *Loop) Stop() { l.l.Stop() }

// Close releases the loop's kernel queue, once it no longer runs and its
// servers are closed.
func (l *Loop) Close() error { return l.l.Close() }

// Post runs fn on the loop, waking it if it sleeps. Safe from any
// goroutine: the way to touch futures, sockets or requests (other than
// Respond, which is safe anyway) from outside the loop.
func (l *Loop) Post(fn func()) { l.l.Post(fn) }

// CallSoon runs fn on the loop after the current callbacks (Nim's
// callSoon). On the loop; from other goroutines use Post.
func (l *Loop) CallSoon(fn func()) {
	l.l.MustBeOnLoop("Loop.CallSoon")
	l.l.CallSoon(fn)
}

// SleepAsync returns a future that completes after d (Nim's sleepAsync).
// On the loop.
func (l *Loop) SleepAsync(d time.Duration) *Future {
	l.l.MustBeOnLoop("SleepAsync")
	return l.l.SleepAsync(d)
}

// NewFuture returns a pending future on the loop, for a handler that
// finishes later: complete it when done, from the loop or from any
// goroutine. Safe from any goroutine.
func (l *Loop) NewFuture() *Future { return l.l.NewFuture() }

// Failed returns a future of the loop's that has failed with err: a
// handler's way to return an error (the request gets a 500, and err is
// logged). Safe from any goroutine.
func (l *Loop) Failed(err error) *Future { return l.l.Failed(err) }

// Timer is a callback scheduled on a loop by AddTimer.
type Timer struct {
	t *poller.Timer
}

// AddTimer runs fn on the loop once d has passed (Nim's addTimer, one
// shot). On the loop.
func (l *Loop) AddTimer(d time.Duration, fn func()) *Timer {
	l.l.MustBeOnLoop("Loop.AddTimer")
	return &Timer{t: l.l.AddTimer(d, fn)}
}

// Stop cancels the timer; it reports whether the timer was still
// scheduled. On the timer's loop.
func (t *Timer) Stop() bool {
	t.t.Loop().MustBeOnLoop("Timer.Stop")
	return t.t.Stop()
}

// The package-level helpers below run on the default loop (Nim's global
// dispatcher), which servers created by New use unless given OnLoop.

// WaitFor drives f's loop until f has finished and returns its error
// (Nim's waitFor). The calling goroutine becomes the loop's thread while it
// runs.
func WaitFor(f *Future) error { return poller.WaitFor(f) }

// RunForever drives the default loop until Stop is called (Nim's
// runForever).
func RunForever() error { return DefaultLoop().Run() }

// Stop makes RunForever return; safe from any goroutine.
func Stop() { DefaultLoop().Stop() }

// SleepAsync returns a future that completes after d on the default loop
// (Nim's sleepAsync). On the loop.
func SleepAsync(d time.Duration) *Future { return DefaultLoop().SleepAsync(d) }

// CallSoon runs fn on the default loop after the current callbacks (Nim's
// callSoon). On the loop; from other goroutines use Post.
func CallSoon(fn func()) { DefaultLoop().CallSoon(fn) }

// Post runs fn on the default loop, waking it if it sleeps. Safe from any
// goroutine.
func Post(fn func()) { DefaultLoop().Post(fn) }

// NewFuture returns a pending future on the default loop. Safe from any
// goroutine.
func NewFuture() *Future { return DefaultLoop().NewFuture() }

// All returns a future that completes when every one of fs has completed,
// or fails as soon as one of them fails (Nim's all). With it a program
// waits for several servers at once, and learns at once that one could
// not listen:
//
//	err := server.WaitFor(server.All(api.Serve(8080, cb, ""), admin.Serve(8081, cb, "")))
//
// The futures must share a loop (the default loop if fs is empty). On the
// loop.
func All(fs ...*Future) *Future {
	l := poller.Default()
	if len(fs) > 0 {
		l = poller.LoopOf(fs[0])
	}
	l.MustBeOnLoop("All")
	return poller.All(l, fs...)
}

// Or returns a future that finishes as soon as a or b does, with that
// future's outcome (Nim's `or`). On the loop.
func Or(a, b *Future) *Future {
	poller.LoopOf(a).MustBeOnLoop("Or")
	return poller.Or(a, b)
}

// And returns a future that completes when both a and b have, and fails
// if either fails (Nim's `and`). On the loop.
func And(a, b *Future) *Future {
	poller.LoopOf(a).MustBeOnLoop("And")
	return poller.And(a, b)
}

// WithTimeout returns a future that completes with true if f completes
// within d, with false if d passes first, and fails with f's error if f
// fails within d (Nim's withTimeout). Like Nim's, it does not cancel f.
// On the loop.
func WithTimeout(f *Future, d time.Duration) *FutureOf[bool] {
	poller.LoopOf(f).MustBeOnLoop("WithTimeout")
	return poller.WithTimeout(f, d)
}

// LoopIteration is what one loop iteration did (see Loop.SetTracer).
type LoopIteration = poller.Iteration

// LoopMetrics are a loop's running totals and queue depths (see
// Loop.Metrics).
type LoopMetrics = poller.Metrics

// SetTracer makes fn see every iteration of the loop, as it ends: how long
// it waited, how many descriptors were ready, timers fired, posted
// functions and callbacks run, bytes read and written. nil turns tracing
// off; off, it costs one comparison an iteration. fn runs on the loop and
// must not block. On the loop, or before it runs.
func (l *Loop) SetTracer(fn func(LoopIteration)) { l.l.SetTracer(fn) }

// Metrics returns the loop's running totals (iterations, ready events,
// timers, posted functions, callbacks, bytes read and written) and its
// queue depths now. Safe from any goroutine: it asks the loop, which must
// be running.
func (l *Loop) Metrics() LoopMetrics { return l.l.Metrics() }
