package poller

import "time"

// Metrics are a loop's running totals, counted on the loop as it goes (a
// few plain additions per iteration, no atomics): Loop.Metrics reads them
// from any goroutine.
type Metrics struct {
	Iterations uint64 // waits and what followed each
	Events     uint64 // ready descriptors the waits returned (the loop's wake-up included)
	Timers     uint64 // timers fired
	Posted     uint64 // functions posted from other goroutines and run
	Callbacks  uint64 // callSoon tasks run (future callbacks, CallSoon, posted functions)
	BytesRead  uint64 // read from sockets
	BytesSent  uint64 // written to sockets (sendfile included)

	// Queue depths when the metrics were read.
	SoonQueue   int // callbacks waiting for the next iteration
	TimerHeap   int // timers scheduled
	Descriptors int // descriptors registered
}

// Iteration is what one loop iteration did, for a tracer (SetTracer).
type Iteration struct {
	Wait      time.Duration // how long the wait for readiness took
	Events    int           // ready descriptors (the loop's wake-up included)
	Timers    int           // timers fired
	Posted    int           // posted functions taken in
	Callbacks int           // callSoon tasks run
	BytesRead int           // read from sockets during the iteration
	BytesSent int           // written to sockets during the iteration
}

// SetTracer makes fn see every iteration of the loop, as it ends, on the
// loop (nil turns tracing off). Tracing costs two clock reads an
// iteration; off, it costs one comparison. On the loop, or before it
// runs.
func (l *Loop) SetTracer(fn func(Iteration)) {
	l.MustBeOnLoop("Loop.SetTracer")
	l.tracer = fn
}

// Metrics returns the loop's totals and queue depths. From any goroutine:
// it asks the loop (through Post) and waits for the answer, so the loop
// must be running; on the loop it answers at once.
func (l *Loop) Metrics() Metrics {
	if l.OnLoop() {
		return l.snapshot()
	}
	done := make(chan Metrics, 1)
	l.Post(func() { done <- l.snapshot() })
	return <-done
}

func (l *Loop) snapshot() Metrics {
	m := l.stats
	m.SoonQueue = l.soon.len()
	m.TimerHeap = len(l.timers)
	m.Descriptors = l.Registered()
	return m
}

// traceStart notes the totals before an iteration's wait.
func (l *Loop) traceStart() (start int64, before Metrics) {
	return int64(time.Since(l.base)), l.stats
}

// traceEnd reports the iteration to the tracer.
func (l *Loop) traceEnd(start, woke int64, before Metrics) {
	s := &l.stats
	l.tracer(Iteration{
		Wait:      time.Duration(woke - start),
		Events:    int(s.Events - before.Events),
		Timers:    int(s.Timers - before.Timers),
		Posted:    int(s.Posted - before.Posted),
		Callbacks: int(s.Callbacks - before.Callbacks),
		BytesRead: int(s.BytesRead - before.BytesRead),
		BytesSent: int(s.BytesSent - before.BytesSent),
	})
}
