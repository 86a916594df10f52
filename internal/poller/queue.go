package poller

// Runner is work that can be queued without allocating a closure: a
// pointer to a long-lived object (a connection, say) that implements Run.
type Runner interface {
	Run()
}

// task is one queued piece of work. Exactly one field is set; keeping the
// three cases apart, rather than wrapping them all in a func, is what lets
// futures and runners be queued without allocating.
type task struct {
	fn  func()
	fut *Future // run this future's callbacks
	r   Runner
}

func (t *task) run() {
	switch {
	case t.fut != nil:
		t.fut.runCallbacks()
	case t.r != nil:
		t.r.Run()
	default:
		t.fn()
	}
}

// taskRing is a growable FIFO ring of tasks. It reuses its array, so a
// steady stream of callbacks allocates nothing.
type taskRing struct {
	buf  []task
	head int
	n    int
}

func (q *taskRing) len() int { return q.n }

func (q *taskRing) push(t task) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = t
	q.n++
}

func (q *taskRing) pop() task {
	t := q.buf[q.head]
	q.buf[q.head] = task{} // let the garbage collector have what it referred to
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return t
}

// grow doubles the ring (its length stays a power of two, so indexes wrap
// with a mask).
func (q *taskRing) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 64
	}
	buf := make([]task, size)
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}

// CallSoon queues fn to run on the loop in the callSoon phase of the
// current or next iteration, after timers and I/O. It must be called on
// the loop; from other goroutines use Post.
func (l *Loop) CallSoon(fn func()) { l.soon.push(task{fn: fn}) }

// CallSoonRunner is CallSoon for a Runner, which needs no closure.
func (l *Loop) CallSoonRunner(r Runner) { l.soon.push(task{r: r}) }

// runSoon runs the callbacks queued before it started. Callbacks that
// queue more are run on the next iteration (which then does not block), so
// a callback that re-queues itself cannot starve I/O.
func (l *Loop) runSoon() {
	n := l.soon.len()
	l.stats.Callbacks += uint64(n)
	for ; n > 0; n-- {
		t := l.soon.pop()
		t.run()
	}
}

// Post queues fn to run on the loop and wakes the loop if it is blocked in
// a wait. It is safe to call from any goroutine; functions posted by one
// goroutine run in the order they were posted.
func (l *Loop) Post(fn func()) { l.post(task{fn: fn}) }

// PostRunner is Post for a Runner, which needs no closure.
func (l *Loop) PostRunner(r Runner) { l.post(task{r: r}) }

func (l *Loop) post(t task) {
	l.postMu.Lock()
	l.posted = append(l.posted, t)
	l.postN.Store(int32(len(l.posted)))
	l.postMu.Unlock()
	l.wakeIfSleeping()
}

// Wake makes a blocked wait return, or the next one not block (from any
// goroutine). It posts an empty task: going through the post queue is what
// guarantees the wake-up is not lost if the loop is just about to sleep.
func (l *Loop) Wake() { l.post(task{fn: nop}) }

func nop() {}

// wakeIfSleeping writes to the wake-up descriptor only when the loop may be
// blocked and no wake-up is already on its way: a loop that is busy will
// see the posted work before it next sleeps, so most posts cost no system
// call at all.
func (l *Loop) wakeIfSleeping() {
	if l.sleeping.Load() && l.wakePending.CompareAndSwap(false, true) {
		if err := l.b.wake(); err != nil {
			// The wake-up descriptor is gone: the loop has been closed and
			// nobody will run the work. Let a later wake-up try again.
			l.wakePending.Store(false)
		}
	}
}

// takePosted moves the posted functions to the callSoon queue, so they run
// in this iteration's callSoon phase and a panic in one of them loses
// nothing but itself.
func (l *Loop) takePosted() {
	if l.postN.Load() == 0 {
		return
	}
	l.postMu.Lock()
	l.stats.Posted += uint64(len(l.posted))
	for i := range l.posted {
		l.soon.push(l.posted[i])
		l.posted[i] = task{}
	}
	l.posted = l.posted[:0]
	l.postN.Store(0)
	l.postMu.Unlock()
}
