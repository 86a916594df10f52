// Package poller is a single-threaded event loop: Nim's asyncdispatch in Go.
//
// A Loop owns a kernel readiness queue (epoll on Linux, kqueue on macOS and
// the BSDs), the handlers of the descriptors registered on it, a heap of
// timers, a callSoon queue, and a queue of functions posted from other
// goroutines. Futures (Future, FutureOf) carry the results of asynchronous
// operations; Socket and Listener are non-blocking sockets on the loop
// (Nim's AsyncSocket).
//
// # One iteration
//
// Poll runs one iteration; Run, WaitFor and WaitForValue repeat it:
//
//	         ┌──────────────────────────────────────────────────────┐
//	         │ wait: epoll_wait / kevent                            │
//	         │   timeout = 0 if callbacks are queued,               │
//	         │   else until the earliest timer (or the caller's     │
//	         │   limit); a Post from another goroutine wakes it     │
//	         └──────────────────────────┬───────────────────────────┘
//	                                    ▼
//	1. ready fds  for each ready descriptor, call its Handler with the
//	              events it is still interested in (closes are deferred
//	              until the batch ends, so a descriptor number cannot be
//	              reused under a pending event)
//	                                    ▼
//	2. timers     pop every timer whose deadline has passed, run it
//	              (once, after the fds: input that has already arrived
//	              counts before a timeout does)
//	                                    ▼
//	3. posted     move functions posted by other goroutines into the
//	              callSoon queue (one lock, taken only when non-empty)
//	                                    ▼
//	4. callSoon   run the callbacks queued so far: future callbacks,
//	              CallSoon functions, posted functions; what they queue
//	              runs next iteration, which then does not block
//	                                    ▼
//	                                 (repeat)
//
// Everything runs on the goroutine that drives the loop, locked to its OS
// thread while it does; so handlers, timers and callbacks never run at the
// same time and share state without locks. Several loops may run in one
// process, each on its own goroutine.
//
// # How this differs from Nim's runOnce
//
// Nim's runOnce runs its timers twice: before the wait (processTimers,
// which also yields the next deadline for adjustTimeout) and again after
// the descriptors' callbacks; then processPendingCallbacks drains the
// callback queue until it is empty, callbacks queued by callbacks
// included. Poll runs timers once, after the ready descriptors, so that a
// loop that comes back late to its wait (after a long callback, or driven
// by a caller that polls only now and then) reads a request that has
// arrived before it times out the connection that sent it; Nim's first
// processTimers would fire that timeout before its select saw the socket,
// and the connection would be closed with unread input: a reset. (A delay
// inside the wait itself is harmless to both.) Nothing is lost by
// not running timers before the wait, since the wait's timeout comes from
// the timer heap: an overdue timer makes the wait non-blocking. And the
// callSoon phase runs only what was queued before it began, so a chain of
// callbacks cannot hold the loop. TestLateWakeReadsBeforeIdleTimeout
// (internal/conn) checks the first; docs/design.md draws both loops side by
// side.
//
// # Level-triggered readiness
//
// Both backends are level-triggered: a descriptor is reported on every wait
// for as long as it is ready. The loop therefore reads once per event and
// never has to drain a socket to EAGAIN (a second read system call per
// request under edge-triggering, unless one relies on short reads), one
// busy connection cannot starve the others, and back-pressure is simply
// dropping read interest. The price is an interest change (epoll_ctl) when
// a write cannot finish at once, which is rare: writes are attempted
// immediately and write interest is armed only while output is pending.
// Edge-triggering would save those calls and lose the simplicity; gnet and
// nbio make the same default choice.
//
// # Wake-ups
//
// Post appends to a mutex-protected queue, then writes to an eventfd
// (Linux), triggers an EVFILT_USER event (macOS, FreeBSD) or writes to a
// pipe (NetBSD, OpenBSD), but only if the loop may be blocked and no
// wake-up is already pending: a busy loop picks posted work up before it
// next sleeps, so posting to it costs no system call.
//
// # Futures
//
// Future is value-less (Nim's Future[void]); FutureOf[T] embeds it and
// adds a value. Callbacks run in the callSoon phase, in the order they were
// added, never inside Complete. Futures may be embedded in longer-lived
// objects (Init) so that a hot path allocates nothing; operations that
// finish at once return the loop's shared Done future.
//
// # Sockets
//
// Socket offers Nim's future-returning operations (Recv, Send, Writev,
// Dial, Accept) and, for code that cannot afford a future per operation,
// an owner mode: a Handler receives readiness and appends output in place.
// Both share one ordered output queue. Writes never raise SIGPIPE
// (MSG_NOSIGNAL or SO_NOSIGPIPE); EINTR is retried; EAGAIN is the normal
// "not now". When accept runs out of descriptors (EMFILE, ENFILE) the
// listener stops watching its descriptor and retries after a growing
// back-off instead of spinning, while established connections go on.
package poller
