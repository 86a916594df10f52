package poller

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestFutureCallbacksRunInOrderOnTheLoop(t *testing.T) {
	l := newTestLoop(t)
	f := l.NewFuture()
	var got []int
	for i := 1; i <= 3; i++ {
		f.AddCallback(func() { got = append(got, i) })
	}
	f.Complete()
	if len(got) != 0 {
		t.Fatalf("callbacks ran inside Complete: %v", got)
	}
	if !f.Finished() || f.Failed() || f.Err() != nil {
		t.Fatalf("state after Complete: finished=%v failed=%v err=%v", f.Finished(), f.Failed(), f.Err())
	}
	f.AddCallback(func() { got = append(got, 4) }) // added after completion
	if err := l.Poll(0); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Fatalf("callbacks ran as %v, want %v", got, want)
	}
}

func TestFutureCallbackAddedAfterCompletionIsQueuedNotCalled(t *testing.T) {
	l := newTestLoop(t)
	f := l.NewFuture()
	f.Complete()
	called := false
	f.AddCallback(func() { called = true })
	if called {
		t.Fatal("callback on a finished future ran synchronously")
	}
	l.Poll(0)
	if !called {
		t.Fatal("callback on a finished future never ran")
	}
}

func TestFutureFailure(t *testing.T) {
	l := newTestLoop(t)
	boom := errors.New("boom")
	f := NewFutureOf[int](l)
	if _, err := f.Read(); err != ErrPending {
		t.Fatalf("Read on pending = %v, want ErrPending", err)
	}
	f.Fail(boom)
	if !f.Failed() || f.Err() != boom {
		t.Fatalf("Failed=%v Err=%v", f.Failed(), f.Err())
	}
	if _, err := f.Read(); err != boom {
		t.Fatalf("Read = %v, want boom", err)
	}
	if _, err := WaitForValue(f); err != boom {
		t.Fatalf("WaitForValue = %v, want boom", err)
	}
}

func TestFutureOfValue(t *testing.T) {
	l := newTestLoop(t)
	f := NewFutureOf[string](l)
	l.CallSoon(func() { f.Complete("hi") })
	v, err := WaitForValue(f)
	if err != nil || v != "hi" {
		t.Fatalf("WaitForValue = %q, %v", v, err)
	}
}

func TestFutureFinishedTwicePanics(t *testing.T) {
	l := newTestLoop(t)
	f := l.NewFuture()
	f.Complete()
	defer func() {
		if recover() == nil {
			t.Fatal("second Complete did not panic")
		}
	}()
	f.Fail(errors.New("late"))
}

func TestCallbackChainsDoNotReenter(t *testing.T) {
	// A callback that completes another future must not run that
	// future's callbacks within itself.
	l := newTestLoop(t)
	a, b := l.NewFuture(), l.NewFuture()
	var trace []string
	a.AddCallback(func() {
		trace = append(trace, "a:start")
		b.Complete()
		trace = append(trace, "a:end")
	})
	b.AddCallback(func() { trace = append(trace, "b") })
	a.Complete()
	waitFor(t, b, time.Second)
	if want := []string{"a:start", "a:end", "b"}; !reflect.DeepEqual(trace, want) {
		t.Fatalf("trace %v, want %v", trace, want)
	}
}

func TestAll(t *testing.T) {
	l := newTestLoop(t)
	if f := All(l); !f.Finished() {
		t.Fatal("All() of nothing is not complete")
	}
	a, b, c := l.NewFuture(), l.NewFuture(), l.NewFuture()
	all := All(l, a, b, c)
	a.Complete()
	c.Complete()
	l.Poll(0)
	if all.Finished() {
		t.Fatal("All finished before every future did")
	}
	b.Complete()
	waitFor(t, all, time.Second)

	boom := errors.New("boom")
	d, e := l.NewFuture(), l.NewFuture()
	failed := All(l, d, e)
	e.Fail(boom)
	if err := l.WaitFor(failed); err != boom {
		t.Fatalf("All with a failure = %v, want boom", err)
	}
}

func TestOrAndAnd(t *testing.T) {
	l := newTestLoop(t)
	a, b := l.NewFuture(), l.NewFuture()
	or := Or(a, b)
	and := And(a, b)
	b.Complete()
	waitFor(t, or, time.Second)
	if and.Finished() {
		t.Fatal("And finished with one future pending")
	}
	a.Complete()
	waitFor(t, and, time.Second)

	boom := errors.New("boom")
	c, d := l.NewFuture(), l.NewFuture()
	orFail := Or(c, d)
	c.Fail(boom)
	if err := l.WaitFor(orFail); err != boom {
		t.Fatalf("Or whose first finisher failed = %v, want boom", err)
	}
}

func TestWithTimeout(t *testing.T) {
	l := newTestLoop(t)
	never := l.NewFuture()
	ok, err := WaitForValue(WithTimeout(never, 5*time.Millisecond))
	if err != nil || ok {
		t.Fatalf("WithTimeout(never) = %v, %v; want false, nil", ok, err)
	}
	soon := l.SleepAsync(time.Millisecond)
	ok, err = WaitForValue(WithTimeout(soon, time.Minute))
	if err != nil || !ok {
		t.Fatalf("WithTimeout(soon) = %v, %v; want true, nil", ok, err)
	}
	if l.timers.Len() != 0 {
		t.Fatalf("WithTimeout left %d timers behind", l.timers.Len())
	}
}

func TestWaitForForeignFuture(t *testing.T) {
	l1, l2 := newTestLoop(t), newTestLoop(t)
	if err := l1.WaitFor(l2.NewFuture()); err != ErrForeignFuture {
		t.Fatalf("WaitFor(foreign) = %v", err)
	}
}

func TestSharedDoneFutureStaysDone(t *testing.T) {
	l := newTestLoop(t)
	d := l.Done()
	ran := 0
	d.AddCallback(func() { ran++ })
	d.AddCallback(func() { ran++ })
	l.Poll(0)
	if ran != 2 || !d.Finished() || d.Err() != nil {
		t.Fatalf("ran=%d finished=%v err=%v", ran, d.Finished(), d.Err())
	}
}

// A goroutine may finish a future while no goroutine drives its loop (a
// handler's goroutine outliving WaitFor, as in ExampleRequest_Stream). The
// completion must be ordered before the next driver reads the loop's
// queue: the race detector saw the two race before the loop's between lock.
func TestCompleteWhileNobodyDrivesIsOrderedBeforeTheNextDriver(t *testing.T) {
	l := newTestLoop(t)
	for i := 0; i < 200; i++ {
		f := l.NewFuture()
		ran := false
		f.AddCallback(func() { ran = true })
		go f.Complete() // no channel: only the loop orders it
		if err := l.WaitFor(f); err != nil {
			t.Fatal(err)
		}
		l.Poll(0) // the callback, if the completion came after WaitFor's first look
		if !ran {
			t.Fatalf("round %d: callback never ran", i)
		}
	}
}
