package poller

import "time"

// All returns a future that completes when every one of fs has completed,
// or fails as soon as one of them fails (Nim's all). With no futures it
// completes at once.
func All(l *Loop, fs ...*Future) *Future {
	all := l.NewFuture()
	left := len(fs)
	if left == 0 {
		all.complete()
		return all
	}
	for _, f := range fs {
		f.AddCallback(func() {
			if all.Finished() {
				return
			}
			if f.Failed() {
				all.fail(f.err)
				return
			}
			if left--; left == 0 {
				all.complete()
			}
		})
	}
	return all
}

// And returns a future that completes when both a and b have completed,
// and fails if either fails (Nim's `and`).
func And(a, b *Future) *Future { return All(a.loop, a, b) }

// Or returns a future that finishes as soon as a or b does, with that
// future's outcome (Nim's `or`).
func Or(a, b *Future) *Future {
	first := a.loop.NewFuture()
	settle := func(f *Future) func() {
		return func() {
			if first.Finished() {
				return
			}
			if f.Failed() {
				first.fail(f.err)
			} else {
				first.complete()
			}
		}
	}
	a.AddCallback(settle(a))
	b.AddCallback(settle(b))
	return first
}

// WithTimeout returns a future that completes with true if f completes
// within d, with false if d passes first, and fails with f's error if f
// fails within d (Nim's withTimeout). Like Nim's, it does not cancel f:
// asyncdispatch has no cancellation, and f may still finish later.
func WithTimeout(f *Future, d time.Duration) *FutureOf[bool] {
	l := f.loop
	res := NewFutureOf[bool](l)
	t := l.AddTimer(d, func() {
		if !res.Finished() {
			res.complete(false)
		}
	})
	f.AddCallback(func() {
		if res.Finished() {
			return
		}
		t.Stop()
		if f.Failed() {
			res.fail(f.err)
		} else {
			res.complete(true)
		}
	})
	return res
}
