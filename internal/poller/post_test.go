package poller

import (
	"sync"
	"testing"
	"time"
)

// TestPostFromManyGoroutines posts from 16 goroutines at once (run it with
// -race) and checks that every function runs exactly once, on the loop,
// in each goroutine's posting order.
func TestPostFromManyGoroutines(t *testing.T) {
	const goroutines, perGoroutine = 16, 2000
	l := newTestLoop(t)
	done := l.NewFuture()
	next := make([]int, goroutines) // touched only on the loop
	total := 0
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perGoroutine; i++ {
				l.Post(func() {
					if next[g] != i {
						t.Errorf("goroutine %d: function %d ran when %d was expected", g, i, next[g])
					}
					next[g]++
					if total++; total == goroutines*perGoroutine {
						done.Complete()
					}
				})
			}
		}()
	}
	waitFor(t, done, 10*time.Second)
	wg.Wait()
}

// TestPostWakesBlockedPoll checks that a Post ends a wait with no timeout.
func TestPostWakesBlockedPoll(t *testing.T) {
	l := newTestLoop(t)
	ran := make(chan struct{})
	started := make(chan struct{})
	go func() {
		<-started
		l.Post(func() { close(ran) })
	}()
	l.CallSoon(func() { close(started) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-ran:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("a posted function never ran")
		}
		if err := l.Poll(-1); err != nil { // blocks until the Post wakes it
			t.Fatal(err)
		}
	}
}

func TestStopEndsRun(t *testing.T) {
	l := newTestLoop(t)
	errc := make(chan error)
	go func() { errc <- l.Run() }()
	l.Stop()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Stop")
	}
}

// TestIndependentLoops runs several loops at once, each on its own
// goroutine, with timers and posts, and checks they do not interfere.
func TestIndependentLoops(t *testing.T) {
	const loops = 4
	var wg sync.WaitGroup
	errs := make(chan error, loops)
	for i := 0; i < loops; i++ {
		l := newTestLoop(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			count := 0
			done := l.NewFuture()
			for j := 0; j < 100; j++ {
				l.AddTimer(time.Duration(j%5)*time.Millisecond, func() {
					if count++; count == 200 {
						done.Complete()
					}
				})
				go l.Post(func() {
					if count++; count == 200 {
						done.Complete()
					}
				})
			}
			ok, err := WaitForValue(WithTimeout(done, 10*time.Second))
			if err == nil && !ok {
				err = errTimeout
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTimeout = testError("timed out")

func TestLoopDrivenTwicePanics(t *testing.T) {
	l := newTestLoop(t)
	defer func() {
		if recover() == nil {
			t.Fatal("a nested Poll did not panic")
		}
	}()
	l.CallSoon(func() { l.Poll(0) })
	l.Poll(0)
}
