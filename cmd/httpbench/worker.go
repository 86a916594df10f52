package main

import (
	"fmt"
	"runtime"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
	"asynchttpserver.dev/internal/poller"
)

// plan is what every worker of a run shares, read-only (series excepted,
// which locks).
type plan struct {
	addr      string // the server's IP literal (resolved once, before the run)
	port      int
	reqs      *templateSet
	pipeline  int
	keepAlive bool
	timeout   time.Duration
	duration  time.Duration // the measured part; 0 when the run is counted in requests
	warmup    time.Duration
	rate      float64 // open loop: requests per second over all loops; 0: closed loop
	loops     int
	serverPID int
	series    *series
}

// readBufSize is the size of the read buffer a worker's connections
// share. They read one at a time (the loop runs one handler at a time),
// and what a read leaves unparsed is copied out to its connection's small
// carry buffer; so a connection costs no 16 KiB buffer of its own and
// 10,000 connections fit in a few megabytes.
const readBufSize = 64 << 10

// worker drives one event loop and its share of the connections, on its
// own goroutine. Everything but live is touched only by that goroutine.
type worker struct {
	id    int
	loop  *poller.Loop
	plan  *plan
	pace  *pacer // the open loop's schedule; nil in a closed loop
	conns []conn // never grows: its elements are the handlers the loop holds
	rbuf  []byte

	// An open loop sleeps in raw epoll waits when it can (rawwait_linux.go).
	raw           *rawWaiter
	dialing       int  // connections with a connect in progress
	outputPending bool // a write left bytes for write readiness to finish

	budget      int64 // closed loop: requests not yet issued; negative: unlimited
	active      int   // closed loop: connections that have not run out of budget
	outstanding int64 // open loop: requests sent and not yet settled
	stopping    bool  // the run is over: issue nothing, count nothing more

	// Requests are formatted here when they vary (template.go).
	issued  uint64 // requests formatted, for {seq}
	rnd     uint64 // state of the {rand} generator
	scratch []byte

	// The measured part starts at m0 on the loop's clock, warmup after
	// the run's common start t0. Until then nothing is counted.
	t0, m0    int64
	measuring bool
	sec       secondAcc // the current second of the time series

	counts  counts
	latency hist.Histogram // from the intended send time
	service hist.Histogram // open loop: from the actual send time
	live    liveCounts
	cpu     cpuSpan // this loop's thread over the measured part
	proc    cpuSpan // worker 0 only: the whole process, and the server
	server  cpuSpan

	sweep    poller.Timer // looks for timed-out requests and connects
	deadline poller.Timer // ends a run of -d duration
	measure  poller.Timer // starts the measured part after -warmup

	end time.Time // when the worker stopped counting
	err error     // why the loop failed, if it did
}

// newWorker prepares worker id for nconns connections and, for a run
// counted in requests, a budget of them (negative for a timed run).
func newWorker(p *plan, id, nconns int, budget int64) (*worker, error) {
	l, err := poller.New()
	if err != nil {
		return nil, fmt.Errorf("create event loop: %w", err)
	}
	w := &worker{
		id:     id,
		loop:   l,
		plan:   p,
		conns:  make([]conn, nconns),
		rbuf:   make([]byte, readBufSize),
		budget: budget,
		active: nconns,
		rnd:    uint64(time.Now().UnixNano()) + uint64(id)<<32,
	}
	if p.rate > 0 {
		if w.pace, err = newPacer(w, p.rate, p.loops, id, budget); err != nil {
			l.Close()
			return nil, err
		}
		w.budget = -1
		if rawWaitUsable(p.loops) {
			// Without one (an error, or no P to spare) the loop blocks as usual.
			if w.raw, _ = newRawWaiter(); w.raw != nil && w.raw.add(w.pace.tick.fd()) != nil {
				w.raw.close()
				w.raw = nil
			}
		}
	}
	for i := range w.conns {
		c := &w.conns[i]
		*c = conn{w: w, sent: make([]int64, p.pipeline), actual: make([]int64, p.pipeline), head: make([]bool, p.pipeline)}
		c.parser = responseParser{memo: &c.memo}
	}
	l.InitTimer(&w.sweep, w.onSweep)
	l.InitTimer(&w.deadline, w.finish)
	l.InitTimer(&w.measure, func() { w.counting(w.loop.Nanotime()) })
	return w, nil
}

// run starts every connection and polls until the run is over. start is
// the run's common start time.
func (w *worker) run(start time.Time) {
	w.t0 = w.loop.Nanotime() - int64(time.Since(start))
	w.m0 = w.t0 + int64(w.plan.warmup)
	w.sec.end = w.m0 // the first counted event begins the measured part
	for i := range w.conns {
		w.conns[i].start()
	}
	if w.pace != nil {
		w.pace.begin(w.t0)
	} else if w.active == 0 {
		w.finish()
	}
	if w.plan.duration > 0 {
		w.deadline.ResetAt(w.m0 + int64(w.plan.duration))
	}
	w.measure.ResetAt(w.m0)
	w.sweep.Reset(w.sweepPeriod())
	if err := w.drive(); err != nil {
		w.err = fmt.Errorf("event loop: %w", err)
		w.finish()
	}
	for i := range w.conns {
		w.conns[i].closeSocket()
	}
	if w.pace != nil {
		w.pace.tick.close()
	}
	if w.raw != nil {
		w.raw.close()
	}
	w.loop.Close()
}

// drive runs the loop until the worker stops. With a raw waiter, the
// worker sleeps in it whenever only its sockets' input, its ticker and
// its own timers can wake it, and polls the loop without blocking after;
// otherwise (a connect in progress, output waiting for write readiness)
// it polls the loop as Loop.Run does.
func (w *worker) drive() error {
	if w.raw == nil {
		return w.loop.Run()
	}
	// One thread throughout, as in Run: the raw waits and the loop's CPU
	// time (threadCPU) must be this thread's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for !w.stopping {
		timeout := time.Duration(-1)
		if w.dialing == 0 && !w.writesPending() {
			w.raw.wait(w.untilTimer())
			timeout = 0
		}
		if err := w.loop.Poll(timeout); err != nil {
			return err
		}
	}
	return nil
}

// untilTimer returns how long until the first of the worker's timers is
// due (the loop has no others while the raw waiter is in use).
func (w *worker) untilTimer() time.Duration {
	d := 100 * time.Millisecond
	now := w.loop.Nanotime()
	for _, t := range []*poller.Timer{&w.sweep, &w.deadline, &w.measure} {
		if t.Pending() {
			d = min(d, time.Duration(t.Deadline()-now))
		}
	}
	return max(d, 0)
}

// writesPending reports whether a socket still has output to write when
// it becomes writable, which only the loop's own wait notices.
func (w *worker) writesPending() bool {
	if !w.outputPending {
		return false
	}
	for i := range w.conns {
		if s := w.conns[i].sock; s != nil && s.Pending() > 0 {
			return true
		}
	}
	w.outputPending = false
	return false
}

// sweepPeriod is how often the worker looks for timeouts: a tenth of -t,
// so that a timeout is noticed within 10 % of its length, but never more
// often than once a millisecond.
func (w *worker) sweepPeriod() time.Duration {
	return min(max(w.plan.timeout/10, time.Millisecond), 100*time.Millisecond)
}

// counting reports whether an event at now (the loop's clock) is part of
// the measured run, and rolls the time series over to now's second. It
// costs one comparison unless a second has ended.
func (w *worker) counting(now int64) bool {
	if now < w.sec.end {
		return w.measuring
	}
	if w.stopping {
		return false
	}
	if !w.measuring {
		w.measuring = true
		w.sec = secondAcc{end: w.m0 + int64(time.Second)}
		w.cpu.begin(threadCPU())
		if w.id == 0 {
			w.proc.begin(processCPU())
			if w.plan.serverPID > 0 {
				w.server.begin(serverCPU(w.plan.serverPID))
			}
		}
	}
	for now >= w.sec.end {
		w.flushSecond()
	}
	return true
}

// flushSecond hands the current second to the run's series and starts
// the next.
func (w *worker) flushSecond() {
	s := &w.sec
	w.plan.series.add(s.index, &s.h, s.requests, s.errors)
	s.h.Reset()
	s.index++
	s.end += int64(time.Second)
	s.requests, s.errors = 0, 0
}

// finish ends the worker's run: nothing more is issued or counted.
func (w *worker) finish() {
	if w.stopping {
		return
	}
	now := w.loop.Nanotime()
	w.counting(now)
	w.stopping = true
	if w.measuring {
		// From here counting reports false: an event of this loop
		// iteration after the end (a sweep's timeout) is not counted.
		w.measuring = false
		w.flushSecond() // the last, partial second
		w.cpu.end(threadCPU())
		if w.id == 0 {
			w.proc.end(processCPU())
			if w.plan.serverPID > 0 {
				w.server.end(serverCPU(w.plan.serverPID))
			}
		}
	}
	w.end = time.Now()
	if w.pace != nil {
		w.pace.tick.stop()
		w.pace.finish(now)
	}
	w.publish()
	w.loop.Stop()
}

// take reserves up to n requests of the budget and returns how many.
func (w *worker) take(n int) int {
	if w.budget < 0 {
		return n
	}
	n = int(min(int64(n), w.budget))
	w.budget -= int64(n)
	return n
}

// giveBack returns reserved requests that were never answered and are to
// be sent again (after the server closed the connection under them).
func (w *worker) giveBack(n int) {
	if w.budget >= 0 && w.pace == nil {
		w.budget += int64(n)
	}
}

// connDone notes that a connection has run out of budget; the last one
// ends the run.
func (w *worker) connDone() {
	if w.active--; w.active == 0 {
		w.finish()
	}
}

// settle notes that n requests of the open loop got their answer or
// their error; the last of a counted schedule ends the run.
func (w *worker) settle(n int) {
	if w.pace == nil || n == 0 {
		return
	}
	if w.outstanding -= int64(n); w.outstanding == 0 && w.pace.exhausted() {
		w.finish()
	}
}

// record counts a complete response at now: its latency from when it was
// meant to leave (intended) and, in an open loop, from when it did.
func (w *worker) record(now, intended, actual int64, status int, size int64) {
	if !w.counting(now) {
		return
	}
	latency := now - intended
	w.latency.Record(latency)
	if w.pace != nil {
		w.service.Record(now - actual)
	}
	w.sec.h.Record(latency)
	w.sec.requests++
	w.counts.requests++
	w.counts.bytes += size
	if status < 200 || status > 299 {
		w.sec.errors++
		w.counts.errors[kindStatus]++
		if w.counts.first[kindStatus] == nil {
			w.counts.first[kindStatus] = fmt.Errorf("status %d", status)
		}
	}
}

// fail counts n requests failed with an error of kind k; the first error
// of each kind is kept, to show what went wrong.
func (w *worker) fail(k errKind, n int, err error) {
	if n == 0 || !w.counting(w.loop.Nanotime()) {
		return
	}
	w.sec.errors += int64(n)
	w.counts.errors[k] += int64(n)
	if w.counts.first[k] == nil {
		w.counts.first[k] = err
	}
}

// publish makes the counts visible to the progress line. It runs after
// every read event: two atomic stores cost nothing beside the system
// calls around them, and the line's req/s then has no sampling jitter.
func (w *worker) publish() {
	w.live.requests.Store(w.counts.requests)
	w.live.errors.Store(w.counts.errorTotal())
}

// onSweep replaces connections whose oldest request, or whose connect,
// has waited longer than -t. Looking every tenth of -t costs nothing per
// request, unlike a timer re-armed on each. It also lets the pacer drop
// requests that waited too long for a connection, and closes idle
// seconds of the time series.
func (w *worker) onSweep() {
	if w.stopping {
		return
	}
	now := w.loop.Nanotime()
	limit := int64(w.plan.timeout)
	for i := range w.conns {
		c := &w.conns[i]
		switch {
		case c.state == connOpen && c.inflight > 0 && now-c.actual[c.first] >= limit:
			c.timedOut()
		case c.state == connDialing && now-c.since >= limit:
			c.dialTimedOut()
		}
	}
	if w.pace != nil {
		w.pace.pump()
	}
	w.counting(now)
	w.publish()
	if !w.stopping {
		w.sweep.Reset(w.sweepPeriod())
	}
}

// appendRequest formats the worker's next request onto out and reports
// whether it is a HEAD request.
func (w *worker) appendRequest(out *[]byte) (head bool) {
	seq := w.issued*uint64(w.plan.loops) + uint64(w.id)
	w.issued++
	t := w.plan.reqs.pick(seq)
	*out = t.appendTo(*out, seq, &w.rnd, &w.scratch)
	return t.head
}
