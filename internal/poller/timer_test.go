package poller

import (
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestTimersFireInDeadlineOrder(t *testing.T) {
	l := newTestLoop(t)
	var got []int
	delays := []int{7, 1, 5, 3, 9, 2, 8, 4, 6}
	for _, d := range delays {
		l.AddTimer(time.Duration(d)*time.Millisecond, func() { got = append(got, d) })
	}
	waitFor(t, l.SleepAsync(20*time.Millisecond), time.Second)
	want := slices.Sorted(slices.Values(delays))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
}

func TestTimerStopAndReset(t *testing.T) {
	l := newTestLoop(t)
	fired := map[string]int{}
	a := l.AddTimer(time.Millisecond, func() { fired["a"]++ })
	b := l.AddTimer(time.Millisecond, func() { fired["b"]++ })
	c := l.AddTimer(time.Hour, func() { fired["c"]++ })
	if !a.Stop() || a.Stop() {
		t.Fatal("Stop should report true once, then false")
	}
	c.Reset(2 * time.Millisecond) // brought forward
	waitFor(t, l.SleepAsync(10*time.Millisecond), time.Second)
	if fired["a"] != 0 || fired["b"] != 1 || fired["c"] != 1 {
		t.Fatalf("fired %v; want a:0 b:1 c:1", fired)
	}
	if b.Pending() || c.Pending() {
		t.Fatal("fired timers still pending")
	}
}

func TestTimerStoppedByEarlierTimerInSameIterationDoesNotFire(t *testing.T) {
	l := newTestLoop(t)
	var second *Timer
	fired := false
	l.AddTimer(time.Millisecond, func() { second.Stop() })
	second = l.AddTimer(time.Millisecond+time.Microsecond, func() { fired = true })
	waitFor(t, l.SleepAsync(5*time.Millisecond), time.Second)
	if fired {
		t.Fatal("a timer stopped by an earlier one fired anyway")
	}
}

func TestTimerRearmedFromItselfRunsOncePerIteration(t *testing.T) {
	l := newTestLoop(t)
	runs := 0
	var tm *Timer
	tm = l.AddTimer(0, func() {
		runs++
		tm.Reset(0)
	})
	for i := 0; i < 3; i++ {
		l.Poll(0)
	}
	tm.Stop()
	if runs > 3 {
		t.Fatalf("a self re-arming zero timer ran %d times in 3 iterations", runs)
	}
}

// TestTimerHeapInvariant drives the heap with random operations and checks
// the heap property and the index bookkeeping after each.
func TestTimerHeapInvariant(t *testing.T) {
	l := newTestLoop(t)
	rng := rand.New(rand.NewSource(1))
	var timers []*Timer
	for i := 0; i < 64; i++ {
		tm := &Timer{}
		l.InitTimer(tm, func() {})
		timers = append(timers, tm)
	}
	for step := 0; step < 20000; step++ {
		tm := timers[rng.Intn(len(timers))]
		if rng.Intn(3) == 0 {
			tm.Stop()
		} else {
			tm.ResetAt(int64(rng.Intn(1000)))
		}
		if rng.Intn(10) == 0 && l.timers.Len() > 0 {
			l.timers.remove(0)
		}
		checkHeap(t, l.timers)
	}
}

func checkHeap(t *testing.T, h timerHeap) {
	t.Helper()
	for i, tm := range h {
		if tm.index != i {
			t.Fatalf("timer at %d records index %d", i, tm.index)
		}
		if i > 0 && h[(i-1)/4].when > tm.when {
			t.Fatalf("heap property broken at %d", i)
		}
	}
}
