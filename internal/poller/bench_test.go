package poller

import (
	"testing"
	"time"
)

// BenchmarkCallSoon queues a callback and runs it through the loop's
// callSoon phase.
func BenchmarkCallSoon(b *testing.B) {
	l := newTestLoop(b)
	n := 0
	fn := func() { n++ }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.CallSoon(fn)
		if i%64 == 63 {
			l.runSoon()
		}
	}
	l.runSoon()
	if n != b.N {
		b.Fatalf("ran %d of %d", n, b.N)
	}
}

// BenchmarkFutureCompleteCallback completes an embedded future with one
// callback and runs the callback: the per-operation cost of a future that
// is reused, as a connection reuses its own.
func BenchmarkFutureCompleteCallback(b *testing.B) {
	l := newTestLoop(b)
	var f Future
	n := 0
	cb := func() { n++ }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.Init(l)
		f.AddCallback(cb)
		f.Complete()
		l.runSoon()
	}
	if n != b.N {
		b.Fatalf("ran %d of %d", n, b.N)
	}
}

// BenchmarkNewFutureCompleteCallback is the same with a fresh future per
// operation, as Nim allocates one: the one allocation is the future itself.
func BenchmarkNewFutureCompleteCallback(b *testing.B) {
	l := newTestLoop(b)
	n := 0
	cb := func() { n++ }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f := l.NewFuture()
		f.AddCallback(cb)
		f.Complete()
		l.runSoon()
	}
}

// BenchmarkTimerAddFire schedules an embedded timer among 1,000 others and
// fires it.
func BenchmarkTimerAddFire(b *testing.B) {
	l := newTestLoop(b)
	for i := 0; i < 1000; i++ {
		l.AddTimer(time.Hour+time.Duration(i), func() {})
	}
	var tm Timer
	n := 0
	l.InitTimer(&tm, func() { n++ })
	l.tick()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tm.ResetAt(l.mono - 1)
		l.runTimers()
	}
	if n != b.N {
		b.Fatalf("fired %d of %d", n, b.N)
	}
}

// BenchmarkTimerResetPending moves a pending timer, as a connection moves
// its deadline.
func BenchmarkTimerResetPending(b *testing.B) {
	l := newTestLoop(b)
	for i := 0; i < 1000; i++ {
		l.AddTimer(time.Duration(i+1)*time.Millisecond, func() {})
	}
	var tm Timer
	l.InitTimer(&tm, func() {})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tm.ResetAt(int64(i%2000) * int64(time.Microsecond*500))
	}
}

// BenchmarkPostRoundTrip measures a goroutine posting to a loop that is
// blocked in its wait, and the loop's answer: a full cross-goroutine
// wake-up and back.
func BenchmarkPostRoundTrip(b *testing.B) {
	l := newTestLoop(b)
	reply := make(chan struct{})
	answer := func() { reply <- struct{}{} }
	done := make(chan error)
	go func() { done <- l.Run() }()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Post(answer)
		<-reply
	}
	b.StopTimer()
	l.Stop()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPostBusyLoop measures Post while the loop is busy: no system
// call is needed, only the queue.
func BenchmarkPostBusyLoop(b *testing.B) {
	l := newTestLoop(b)
	n := 0
	fn := func() { n++ }
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Post(fn)
		if i%64 == 63 {
			l.takePosted()
			l.runSoon()
		}
	}
	l.takePosted()
	l.runSoon()
	if n != b.N {
		b.Fatalf("ran %d of %d", n, b.N)
	}
}
