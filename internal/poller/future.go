package poller

import (
	"errors"
	"sync/atomic"
)

// A Future is the eventual outcome of an operation that yields no value:
// Nim's Future[void]. FutureOf adds a value. The split follows the call
// sites: most operations of a server (respond, send, sleep) have nothing
// to return, and `*Future` reads better there than `*Future[struct{}]`;
// the few that do (recv, accept, dial) use FutureOf[T], which embeds a
// Future so that every combinator takes either.
//
// A future is pending until Complete or Fail is called, once. Callbacks
// added with AddCallback run on the loop, in the order they were added, in
// the callSoon phase after the future finished, never inside Complete or
// Fail themselves (so completing a future never re-enters the caller). A
// callback added to a finished future is queued at once.
//
// What is safe where: Finished, Failed, Err (and FutureOf's Value and
// Read, once Finished reports true) may be called from any goroutine.
// Complete and Fail too: called off the loop, they hand the completion to
// the loop (as Post does), so it happens there, in order with other posted
// work. AddCallback runs on the loop only, and panics when called from
// another goroutine, since the callback list is the loop's.
type Future struct {
	loop  *Loop
	state atomic.Uint32 // a futureState; published after err (and FutureOf.value)
	err   error
	cb    func()   // the first callback, kept inline: most futures have one
	more  []func() // the rest, in order
}

type futureState uint8

const (
	statePending futureState = iota
	stateCompleted
	stateFailed
)

// ErrPending is returned by FutureOf.Read on a future that has not
// finished.
var ErrPending = errors.New("poller: future still in progress")

// NewFuture returns a pending future on l.
func (l *Loop) NewFuture() *Future {
	f := &Future{}
	f.Init(l)
	return f
}

// Init makes f a pending future on l; it lets a future be embedded in a
// longer-lived object instead of allocated.
func (f *Future) Init(l *Loop) {
	f.loop, f.err, f.cb, f.more = l, nil, nil, nil
	f.state.Store(uint32(statePending))
}

// Done returns a completed future of l's that may be shared: a finished
// future never changes, so operations that complete at once return this
// one instead of allocating.
func (l *Loop) Done() *Future { return &l.done }

// Failed returns a new future of l's that has failed with err.
func (l *Loop) Failed(err error) *Future {
	f := &Future{loop: l, err: err}
	f.state.Store(uint32(stateFailed))
	return f
}

// LoopOf returns the loop f belongs to. (A function rather than a method,
// so that the server's Future, an alias of this type, does not hand its
// users the loop's internals.)
func LoopOf(f *Future) *Loop { return f.loop }

// Complete marks f as successfully finished and queues its callbacks.
// Finishing a future twice is a programming error and panics, as closing a
// closed channel does. From another goroutine the completion is posted to
// the loop (and a second one panics there); while no goroutine drives the
// loop it happens at once, ordered before the next driver's first look.
func (f *Future) Complete() {
	f.settle(stateCompleted, nil)
}

// Fail marks f as failed with err (which must not be nil) and queues its
// callbacks. From another goroutine the failure is posted to the loop.
func (f *Future) Fail(err error) {
	if err == nil {
		panic("poller: Future.Fail with a nil error")
	}
	f.settle(stateFailed, err)
}

// settle finishes f from any goroutine (see Loop.completer).
func (f *Future) settle(s futureState, err error) {
	l := f.loop
	switch l.completer() {
	case completeDirect:
		f.finish(s, err)
	case completeHeld:
		defer l.between.Unlock()
		f.finish(s, err)
	default:
		l.Post(func() { f.finish(s, err) })
	}
}

// complete and fail are Complete and Fail for the loop's own code, which
// runs on the loop: no owner check.
func (f *Future) complete()      { f.finish(stateCompleted, nil) }
func (f *Future) fail(err error) { f.finish(stateFailed, err) }

func (f *Future) finish(s futureState, err error) {
	if f.Finished() {
		panic("poller: future finished twice")
	}
	f.err = err
	f.state.Store(uint32(s))
	if f.cb != nil {
		f.loop.soon.push(task{fut: f})
	}
}

// AddCallback queues cb to run on the loop once f has finished. On the
// loop only.
func (f *Future) AddCallback(cb func()) {
	f.loop.MustBeOnLoop("Future.AddCallback")
	switch {
	case f.Finished():
		f.loop.soon.push(task{fn: cb})
	case f.cb == nil:
		f.cb = cb
	default:
		f.more = append(f.more, cb)
	}
}

func (f *Future) runCallbacks() {
	cb, more := f.cb, f.more
	f.cb, f.more = nil, nil
	cb()
	for _, c := range more {
		c()
	}
}

// Finished reports whether f has completed or failed.
func (f *Future) Finished() bool { return futureState(f.state.Load()) != statePending }

// Failed reports whether f has failed.
func (f *Future) Failed() bool { return futureState(f.state.Load()) == stateFailed }

// Err returns the error f failed with, or nil.
func (f *Future) Err() error {
	if !f.Finished() {
		return nil
	}
	return f.err
}

// FutureOf is a Future that carries a value of type T: Nim's Future[T].
type FutureOf[T any] struct {
	Future
	value T
}

// NewFutureOf returns a pending future of T on l.
func NewFutureOf[T any](l *Loop) *FutureOf[T] {
	f := &FutureOf[T]{}
	f.Future.Init(l)
	return f
}

// Complete stores v and marks f as successfully finished; from another
// goroutine, the loop does both (see Future.Complete).
func (f *FutureOf[T]) Complete(v T) {
	l := f.loop
	switch l.completer() {
	case completeDirect:
		f.complete(v)
	case completeHeld:
		defer l.between.Unlock()
		f.complete(v)
	default:
		l.Post(func() { f.complete(v) })
	}
}

func (f *FutureOf[T]) complete(v T) {
	f.value = v
	f.Future.complete()
}

// Value returns the value f completed with (T's zero value until then).
func (f *FutureOf[T]) Value() T { return f.value }

// Read returns f's value, or the error it failed with, or ErrPending
// (Nim's read).
func (f *FutureOf[T]) Read() (T, error) {
	switch futureState(f.state.Load()) {
	case stateCompleted:
		return f.value, nil
	case stateFailed:
		var zero T
		return zero, f.err
	}
	var zero T
	return zero, ErrPending
}
