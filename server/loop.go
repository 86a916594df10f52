package server

import (
	"time"

	"asynchttpserver.dev/internal/poller"
)

// Future is the eventual outcome of an asynchronous operation (Nim's
// Future[void]): Respond, SendHeaders, SleepAsync and Serve return one, and
// a handler returns one. Its methods: AddCallback(func()), Finished(),
// Failed(), Err(), Complete(), Fail(error). Callbacks run on the loop, in
// order, after the future finishes. A future belongs to its loop: use it
// on the loop (in a handler or callback), or through Post.
type Future = poller.Future

// FutureOf is a Future with a value (Nim's Future[T]), as returned by
// Socket.Recv.
type FutureOf[T any] = poller.FutureOf[T]

// Socket is the asynchronous socket of a request's connection (Nim's
// AsyncSocket): Recv, Send, SendString, Writev, Close. See Request.Client.
type Socket = poller.Socket

// The package-level helpers below run on the default loop (Nim's global
// dispatcher), which servers created by New use.

// WaitFor drives the default loop until f has finished and returns its
// error (Nim's waitFor). The calling goroutine becomes the loop's thread
// while it runs.
func WaitFor(f *Future) error { return poller.WaitFor(f) }

// RunForever drives the default loop until Stop is called (Nim's
// runForever).
func RunForever() error { return poller.Default().Run() }

// Stop makes RunForever return; safe from any goroutine.
func Stop() { poller.Default().Stop() }

// SleepAsync returns a future that completes after d (Nim's sleepAsync).
func SleepAsync(d time.Duration) *Future { return poller.Default().SleepAsync(d) }

// CallSoon runs fn on the loop after the current callbacks (Nim's
// callSoon). Call it on the loop; from other goroutines use Post.
func CallSoon(fn func()) { poller.Default().CallSoon(fn) }

// Post runs fn on the loop, waking it if it sleeps. Safe from any
// goroutine: the way to touch futures, sockets or requests (other than
// Respond, which is safe anyway) from outside the loop.
func Post(fn func()) { poller.Default().Post(fn) }

// NewFuture returns a pending future on the default loop, for a handler
// that finishes later: complete it (on the loop) when done.
func NewFuture() *Future { return poller.Default().NewFuture() }
