package poller

import "time"

// Timer runs a function on the loop once its deadline has passed. Timers
// live in a 4-ary min-heap keyed by deadline (as in Go's runtime: shallower
// than a binary heap, so fewer cache misses per operation); the earliest
// deadline becomes the timeout of the loop's next wait. No goroutine is
// involved.
//
// A Timer may be embedded in a longer-lived object and re-armed with Reset,
// which allocates nothing. Its methods must be called on the loop.
type Timer struct {
	loop  *Loop
	fn    func()
	when  int64 // deadline on the loop's monotonic clock
	index int   // position in the heap; notScheduled otherwise
}

const notScheduled = -1

// AddTimer runs fn once, d from now (Nim's addTimer with oneshot = true;
// for a periodic timer, call Reset from fn).
func (l *Loop) AddTimer(d time.Duration, fn func()) *Timer {
	t := &Timer{}
	l.InitTimer(t, fn)
	t.Reset(d)
	return t
}

// InitTimer prepares an embedded timer to run fn; it is not scheduled
// until Reset.
func (l *Loop) InitTimer(t *Timer, fn func()) {
	*t = Timer{loop: l, fn: fn, index: notScheduled}
}

// Reset (re)schedules t to fire d from now, replacing any earlier
// deadline. d below one nanosecond counts as one: a timer re-armed from
// its own callback then fires on the next iteration, never in a loop
// within this one.
func (t *Timer) Reset(d time.Duration) {
	if d < 1 {
		d = 1
	}
	t.ResetAt(t.loop.Nanotime() + int64(d))
}

// ResetAt (re)schedules t at an absolute deadline on the loop's monotonic
// clock (see Loop.Nanotime).
func (t *Timer) ResetAt(when int64) {
	h := &t.loop.timers
	t.when = when
	if t.index == notScheduled {
		h.push(t)
		return
	}
	h.fix(t.index)
}

// Stop cancels t. It reports whether t was scheduled.
func (t *Timer) Stop() bool {
	if t.index == notScheduled {
		return false
	}
	t.loop.timers.remove(t.index)
	return true
}

// Loop returns the loop t runs on.
func (t *Timer) Loop() *Loop { return t.loop }

// Pending reports whether t is scheduled.
func (t *Timer) Pending() bool { return t.index != notScheduled }

// Deadline returns t's deadline on the loop's monotonic clock.
func (t *Timer) Deadline() int64 { return t.when }

// runTimers fires every timer whose deadline has passed. A timer is
// removed from the heap before its function runs, so a panic in one loses
// nothing else, and a function that stops or re-arms another timer simply
// changes the heap this loop reads next.
func (l *Loop) runTimers() {
	for len(l.timers) > 0 && l.timers[0].when <= l.mono {
		t := l.timers[0]
		l.timers.remove(0)
		l.stats.Timers++
		t.fn()
	}
}

// SleepAsync returns a future that completes d from now (Nim's sleepAsync).
func (l *Loop) SleepAsync(d time.Duration) *Future {
	f := l.NewFuture()
	l.AddTimer(d, f.complete)
	return f
}

// timerHeap is a 4-ary min-heap of timers ordered by deadline.
type timerHeap []*Timer

// Len returns how many timers are scheduled.
func (h timerHeap) Len() int { return len(h) }

func (h *timerHeap) push(t *Timer) {
	*h = append(*h, t)
	t.index = len(*h) - 1
	h.up(t.index)
}

func (h *timerHeap) remove(i int) {
	s := *h
	last := len(s) - 1
	s[i].index = notScheduled
	if i != last {
		s[i] = s[last]
		s[i].index = i
	}
	s[last] = nil
	*h = s[:last]
	if i != last {
		h.fix(i)
	}
}

func (h timerHeap) fix(i int) {
	if !h.up(i) {
		h.down(i)
	}
}

// up moves the timer at i towards the root; it reports whether it moved.
func (h timerHeap) up(i int) bool {
	t := h[i]
	start := i
	for i > 0 {
		p := (i - 1) / 4
		if h[p].when <= t.when {
			break
		}
		h[i] = h[p]
		h[i].index = i
		i = p
	}
	h[i] = t
	t.index = i
	return i != start
}

func (h timerHeap) down(i int) {
	t := h[i]
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		min := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if h[j].when < h[min].when {
				min = j
			}
		}
		if t.when <= h[min].when {
			break
		}
		h[i] = h[min]
		h[i].index = i
		i = min
	}
	h[i] = t
	t.index = i
}
