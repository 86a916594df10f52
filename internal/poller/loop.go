package poller

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Errors returned by the loop.
var (
	// ErrLoopClosed is returned for work offered to a closed loop.
	ErrLoopClosed = errors.New("poller: loop is closed")
	// ErrForeignFuture is returned by WaitFor when the future belongs to
	// another loop, which this loop's polling could never complete.
	ErrForeignFuture = errors.New("poller: future belongs to another loop")
)

// Loop is an event loop: Nim's dispatcher. It owns a kernel readiness
// queue (epoll or kqueue), the handlers of the descriptors registered on
// it, a timer heap, the callSoon queue and a queue of functions posted from
// other goroutines.
//
// A loop is driven by one goroutine at a time, through Poll, Run or
// WaitFor, which lock that goroutine to its OS thread while they run.
// Everything a loop calls (handlers, timers, callbacks) runs on that
// goroutine, one thing at a time, so the state they share needs no locks.
// Only Post, Stop and Wake may be called from other goroutines. A process
// may run many loops, each on its own goroutine (and thus thread).
type Loop struct {
	b   *osBackend
	fds []fdEntry
	// deferredClose holds descriptors closed while an event batch was
	// being delivered. Their close(2) waits for the batch to end so that
	// the number cannot be reused, by an accept in the same batch, while
	// later events of the batch still refer to the old descriptor.
	deferredClose []int
	delivering    bool

	timers timerHeap
	soon   taskRing

	postMu      sync.Mutex
	posted      []task
	postN       atomic.Int32 // len(posted), readable without the lock
	sleeping    atomic.Bool  // the loop is in, or about to enter, a blocking wait
	wakePending atomic.Bool  // a wake-up was sent and not yet consumed

	running  atomic.Bool  // a goroutine is driving the loop
	owner    atomic.Int64 // callerID of the driving goroutine, 0 when none (see OnLoop)
	between  sync.Mutex   // held by drivers coming and going, and by completions while nobody drives (owner.go)
	inPoll   bool         // set by the driving goroutine: the cached clock is fresh
	stopping atomic.Bool
	closed   bool

	base time.Time // the origin of the loop's monotonic clock
	mono int64     // when the loop last woke up, in nanoseconds since base

	bufs bufPool
	done Future // a completed future, shared by operations that finish at once

	stats  Metrics         // running totals (metrics.go)
	tracer func(Iteration) // SetTracer's, or nil

	// Owner is the object that wraps the loop for its users (the server
	// package's Loop), set once by whoever makes it.
	Owner any
}

type fdEntry struct {
	h        Handler
	interest Event
}

// New creates a loop with its own epoll or kqueue instance.
func New() (*Loop, error) {
	b, err := newBackend()
	if err != nil {
		return nil, err
	}
	l := &Loop{b: b, base: time.Now()}
	l.done.Init(l)
	l.done.state.Store(uint32(stateCompleted))
	return l, nil
}

var (
	defaultOnce sync.Once
	defaultLoop *Loop
	defaultErr  error
)

// Default returns the process's default loop, creating it on first use
// (Nim's getGlobalDispatcher). It panics if the loop cannot be created,
// which happens only when the process is out of descriptors or memory.
func Default() *Loop {
	defaultOnce.Do(func() { defaultLoop, defaultErr = New() })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultLoop
}

// Close releases the loop's kernel queue. Descriptors still registered
// are not closed: their owners (sockets, listeners) close them. Close
// must not be called while the loop is running.
func (l *Loop) Close() error {
	if l.closed {
		return nil
	}
	if l.running.Load() {
		return errors.New("poller: Close called while the loop is running")
	}
	l.closed = true
	return l.b.close()
}

// Register makes h the handler of fd and watches it for ev (which may be
// 0: then fd is remembered but not watched until SetInterest).
func (l *Loop) Register(fd int, h Handler, ev Event) error {
	if l.closed {
		return ErrLoopClosed
	}
	if fd < 0 {
		return fmt.Errorf("poller: register: invalid descriptor %d", fd)
	}
	for fd >= len(l.fds) {
		l.fds = append(l.fds, fdEntry{})
	}
	if l.fds[fd].h != nil {
		return fmt.Errorf("poller: register: descriptor %d is already registered", fd)
	}
	if err := l.b.control(fd, 0, ev); err != nil {
		return err
	}
	l.fds[fd] = fdEntry{h: h, interest: ev}
	return nil
}

// SetInterest changes what a registered descriptor is watched for.
func (l *Loop) SetInterest(fd int, ev Event) error {
	if fd < 0 || fd >= len(l.fds) || l.fds[fd].h == nil {
		return fmt.Errorf("poller: descriptor %d is not registered", fd)
	}
	e := &l.fds[fd]
	if err := l.b.control(fd, e.interest, ev); err != nil {
		return err
	}
	e.interest = ev
	return nil
}

// Unregister forgets fd's handler and stops watching it. Events of the
// current batch that are still to be delivered for fd are dropped.
func (l *Loop) Unregister(fd int) error {
	if fd < 0 || fd >= len(l.fds) || l.fds[fd].h == nil {
		return nil
	}
	e := l.fds[fd]
	l.fds[fd] = fdEntry{}
	if l.closed {
		return nil
	}
	return l.b.control(fd, e.interest, 0)
}

// CloseFD forgets fd's handler and closes it. It does not remove fd from
// the kernel's set first: closing the last reference to a descriptor does
// that (for epoll and kqueue alike), and the loop's descriptors are never
// shared, so a connection's close costs one system call, not two. While an
// event batch is being delivered the close(2) itself is deferred to the
// end of the batch (see Loop.deferredClose).
func (l *Loop) CloseFD(fd int) error {
	var err error
	if fd >= 0 && fd < len(l.fds) {
		l.fds[fd] = fdEntry{}
	}
	if l.delivering {
		l.deferredClose = append(l.deferredClose, fd)
		return err
	}
	if cerr := unix.Close(fd); cerr != nil && err == nil {
		err = fmt.Errorf("poller: close(%d): %w", fd, cerr)
	}
	return err
}

// Registered reports how many descriptors have a handler on this loop.
func (l *Loop) Registered() int {
	n := 0
	for i := range l.fds {
		if l.fds[i].h != nil {
			n++
		}
	}
	return n
}

// Now returns the time the loop last woke up. Handlers see the same value
// throughout one iteration, which saves a clock read per event. It is
// derived from the monotonic clock, so it does not follow changes of the
// system's wall clock made while the loop runs; read time.Now for that.
func (l *Loop) Now() time.Time {
	l.refreshClock()
	return l.base.Add(time.Duration(l.mono))
}

// Nanotime returns Now on the loop's monotonic clock: nanoseconds since
// the loop was created.
func (l *Loop) Nanotime() int64 {
	l.refreshClock()
	return l.mono
}

// refreshClock reads the clock when nobody is polling, so that code
// setting up timers before the loop runs does not see a stale time.
func (l *Loop) refreshClock() {
	if !l.inPoll {
		l.tick()
	}
}

// tick reads the clock. time.Since on a time with a monotonic reading reads
// only the monotonic clock: one vDSO call, not the two of time.Now.
func (l *Loop) tick() { l.mono = int64(time.Since(l.base)) }

// enter claims the loop for the calling goroutine and locks that goroutine
// to its OS thread, as Nim's dispatcher is per thread.
func (l *Loop) enter() {
	if !l.running.CompareAndSwap(false, true) {
		panic("poller: loop driven by two goroutines at once")
	}
	runtime.LockOSThread()
	l.between.Lock()
	l.owner.Store(callerID())
	l.between.Unlock()
	l.inPoll = true
}

// exit releases the loop. It also runs if a callback panicked out of a
// poll, so that the loop stays usable for the caller who recovers.
func (l *Loop) exit() {
	l.finishDelivery()
	l.inPoll = false
	l.between.Lock()
	l.owner.Store(0)
	l.between.Unlock()
	runtime.UnlockOSThread()
	l.running.Store(false)
}

// Poll runs one iteration of the loop: it waits at most timeout for
// something to do (negative: no limit; it returns earlier when a timer is
// due, a callback is queued, or another goroutine posts work), then runs
// what is ready. Its return says whether the wait itself failed.
func (l *Loop) Poll(timeout time.Duration) error {
	l.enter()
	defer l.exit()
	return l.poll(timeout)
}

// Run polls until Stop is called (Nim's runForever, with an end).
func (l *Loop) Run() error {
	l.enter()
	defer l.exit()
	for !l.stopping.Swap(false) {
		if err := l.poll(-1); err != nil {
			return err
		}
	}
	return nil
}

// Stop makes a Run in progress return after its current iteration. It may
// be called from any goroutine.
func (l *Loop) Stop() {
	l.stopping.Store(true)
	l.Wake()
}

// WaitFor polls until f has finished and returns its error (Nim's
// waitFor). f must belong to this loop.
func (l *Loop) WaitFor(f *Future) error {
	if f.loop != l {
		return ErrForeignFuture
	}
	l.enter()
	defer l.exit()
	for !f.Finished() {
		if err := l.poll(-1); err != nil {
			return err
		}
	}
	return f.err
}

// WaitFor polls f's loop until f has finished and returns its error.
func WaitFor(f *Future) error { return f.loop.WaitFor(f) }

// WaitForValue polls f's loop until f has finished and returns its value.
func WaitForValue[T any](f *FutureOf[T]) (T, error) {
	if err := f.loop.WaitFor(&f.Future); err != nil {
		var zero T
		return zero, err
	}
	return f.value, nil
}

// poll is one iteration; the picture in the package documentation shows
// its phases.
func (l *Loop) poll(timeout time.Duration) error {
	if l.closed {
		return ErrLoopClosed
	}
	var traceStart int64
	var before Metrics
	if l.tracer != nil {
		traceStart, before = l.traceStart()
	}
	msec := l.waitMsec(timeout)
	mayBlock := msec != 0
	if mayBlock {
		// Announce the sleep, then look at the post queue once more: a
		// Post that missed this flag is seen here, and a Post that comes
		// later sees the flag and wakes us (both sides use sequentially
		// consistent atomics, so one of the two must see the other).
		l.sleeping.Store(true)
		if l.postN.Load() != 0 {
			msec = 0
		}
	}
	n, err := l.b.wait(msec)
	if mayBlock {
		l.sleeping.Store(false)
	}
	if err != nil {
		return err
	}
	l.tick()
	l.stats.Iterations++
	l.stats.Events += uint64(n)
	woke := l.mono
	// Ready descriptors before timers, and timers once (Nim's runOnce runs
	// them before the wait and again after the descriptors: see the
	// package documentation): bytes that have arrived must count before a
	// deadline does, or a loop that was slow to wake (a stalled machine)
	// would time out a connection whose next request is already waiting,
	// and close it with unread input: a reset.
	l.deliver(n)
	l.runTimers()
	l.takePosted()
	l.runSoon()
	if l.tracer != nil {
		l.traceEnd(traceStart, woke, before)
	}
	return nil
}

// waitMsec turns the caller's timeout, the next timer and pending callbacks
// into the wait's timeout in milliseconds.
func (l *Loop) waitMsec(timeout time.Duration) int {
	if l.soon.len() > 0 {
		return 0
	}
	if len(l.timers) > 0 {
		// l.mono is from this iteration's wake-up: the wait may be longer
		// than needed by the time the iteration took, never shorter.
		untilTimer := max(time.Duration(l.timers[0].when-l.mono), 0) // overdue: do not block
		if timeout < 0 || untilTimer < timeout {
			timeout = untilTimer
		}
	}
	switch {
	case timeout < 0:
		return -1
	case timeout == 0:
		return 0
	}
	// Round up: waking a little late is harmless, waking early would spin
	// until the timer is due.
	return int((timeout + time.Millisecond - 1) / time.Millisecond)
}

// deliver hands the events of the last wait to their handlers.
func (l *Loop) deliver(n int) {
	l.delivering = true
	for i := 0; i < n; i++ {
		fd, ev := l.b.event(i)
		if fd < 0 {
			l.wakePending.Store(false)
			continue
		}
		if fd >= len(l.fds) {
			continue
		}
		// Mask with the current interest: an earlier handler of this batch
		// may have unregistered fd or dropped a direction.
		e := l.fds[fd]
		if ev &= e.interest; ev != 0 {
			e.h.HandleEvent(ev)
		}
	}
	l.finishDelivery()
}

func (l *Loop) finishDelivery() {
	l.delivering = false
	if len(l.deferredClose) == 0 {
		return
	}
	for i, fd := range l.deferredClose {
		unix.Close(fd)
		l.deferredClose[i] = -1
	}
	l.deferredClose = l.deferredClose[:0]
}
