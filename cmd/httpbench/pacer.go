package main

import (
	"errors"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// This file holds the open loop (-rate): requests leave on a schedule
// fixed before the run, whatever the server does, and each one's latency
// runs from the time it was meant to leave. A closed-loop generator (the
// default, and wrk) sends a connection's next request only when the last
// one is answered, so while a server stalls it sends nothing and records
// one slow request where a real user population would have queued many:
// coordinated omission. Here the schedule keeps running through a stall,
// requests that find no free connection wait, and the wait counts.

// errNotSent counts a request of the schedule that found no free
// connection within -t of its intended send time.
var errNotSent = errors.New("no connection free to send on within the timeout (-t)")

// lateThreshold is how late a request may leave, with a connection free
// to take it, before the generator counts itself as late.
const lateThreshold = time.Millisecond

// ticker wakes the pacer when requests fall due: a timerfd on Linux
// (ticker_linux.go), the loop's own millisecond timers elsewhere.
type ticker interface {
	// wakeAt asks for a wake-up at when (on the loop's clock) or soon
	// after; it may keep waking the pacer every period after that.
	wakeAt(when int64)
	// stop cancels the wake-ups.
	stop()
	// close releases the ticker; the loop must not be running.
	close()
	// fd returns the descriptor whose readiness is the wake-up, or -1.
	fd() int
}

// pacer sends one loop's share of an open-loop run: requests i = 0, 1,
// 2, ... of this loop leave at first + i·period, on whichever connection
// has been free the longest (a FIFO, so the load spreads over all of
// them). The loops' schedules interleave, so together they send at -rate.
type pacer struct {
	w      *worker
	first  int64 // intended send time of request 0, on the loop's clock
	period int64 // nanoseconds between this loop's requests
	next   int64 // the next request of the schedule
	limit  int64 // requests in the schedule (-n); negative: no end
	// retry holds the intended send times of requests that must go again
	// (the server closed the connection with them unanswered), oldest
	// first; they keep their place in time.
	retry []int64
	free  connList
	tick  ticker

	// blocked is set while requests are due and no connection is free:
	// those sent when one frees up waited for the server, not for us.
	blocked bool

	// Figures of the measured part of the run.
	sent    int64          // requests written
	queued  int64          // sent late because no connection was free
	late    int64          // sent more than lateThreshold late with a connection free: our own delay
	dropped int64          // never sent: no connection free within -t
	lag     hist.Histogram // actual minus intended send time

	backlogAtEnd int64 // due and not yet sent when the run ended
}

// newPacer prepares loop id's share of -rate over loops loops, and for a
// run counted in requests, its share of them (negative: no limit).
func newPacer(w *worker, rate float64, loops, id int, limit int64) (*pacer, error) {
	perLoop := float64(loops) * 1e9 / rate
	p := &pacer{w: w, period: max(int64(perLoop+0.5), 1), limit: limit}
	// Loop i starts i global periods after loop 0: the loops' lattices
	// interleave into one of the whole rate.
	p.first = int64(float64(id) * 1e9 / rate)
	t, err := newTicker(w.loop, p.period, p.pump)
	if err != nil {
		return nil, err
	}
	p.tick = t
	return p, nil
}

// begin anchors the schedule at the run's start, t0 on the loop's clock.
func (p *pacer) begin(t0 int64) {
	p.first += t0
	p.rearm()
}

// due returns the intended send time of request i.
func (p *pacer) due(i int64) int64 { return p.first + i*p.period }

// exhausted reports whether every request of a counted schedule has been
// sent or dropped.
func (p *pacer) exhausted() bool {
	return p.limit >= 0 && p.next >= p.limit && len(p.retry) == 0
}

// peek returns the intended send time of the request to send next, if
// one is due by now.
func (p *pacer) peek(now int64) (int64, bool) {
	if len(p.retry) > 0 {
		return p.retry[0], true
	}
	if p.limit >= 0 && p.next >= p.limit {
		return 0, false
	}
	t := p.due(p.next)
	return t, t <= now
}

// consume takes the request peek returned off the schedule.
func (p *pacer) consume() {
	if len(p.retry) > 0 {
		p.retry = p.retry[1:]
		if len(p.retry) == 0 {
			p.retry = p.retry[:0:0] // let a long backlog's array go
		}
		return
	}
	p.next++
}

// ready offers c, which can take another request, to the schedule.
func (p *pacer) ready(c *conn) {
	if !c.inFree {
		p.free.push(c)
	}
	p.pump()
}

// pump sends every due request a free connection can take, then decides
// when to wake up next. It runs on every tick, whenever a connection
// frees up, and on the worker's sweep.
func (p *pacer) pump() {
	w := p.w
	if w.stopping {
		return
	}
	now := w.loop.Nanotime()
	p.expire(now)
	for {
		intended, ok := p.peek(now)
		if !ok {
			p.blocked = false
			break
		}
		c := p.free.pop()
		if c == nil {
			p.blocked = true
			break
		}
		p.consume()
		if w.counting(now) {
			p.sent++
			lag := now - intended
			p.lag.Record(lag)
			switch {
			case p.blocked:
				p.queued++
			case lag > int64(lateThreshold):
				p.late++
			}
		}
		w.outstanding++
		c.sendAt(intended, now)
		if w.stopping { // the send failed and settled the last request
			return
		}
		if c.state == connOpen && c.inflight < w.plan.pipeline && !c.inFree {
			p.free.push(c) // to the back: the others go first
		}
	}
	p.rearm()
	if p.exhausted() && w.outstanding == 0 {
		w.finish()
	}
}

// rearm keeps the ticker running while a request can be sent when it
// falls due, and stops it otherwise: with no connection free, the next
// response wakes the pacer instead, and a server that stalls costs no
// empty wake-ups.
func (p *pacer) rearm() {
	if p.free.empty() || p.exhausted() || len(p.retry) > 0 {
		p.tick.stop()
		return
	}
	p.tick.wakeAt(p.due(p.next))
}

// expire drops the requests that have waited longer than -t for a
// connection: each counts as a timeout, as a request sent and not
// answered within -t would.
func (p *pacer) expire(now int64) {
	limit := now - int64(p.w.plan.timeout)
	for {
		t, ok := p.peek(now)
		if !ok || t > limit {
			return
		}
		p.consume()
		if p.w.counting(now) {
			p.dropped++
		}
		p.w.fail(kindTimeout, 1, errNotSent)
	}
}

// giveBack puts the intended send times of requests that must be sent
// again at the front of the queue, in their order.
func (p *pacer) giveBack(times []int64) {
	p.retry = append(append(make([]int64, 0, len(times)+len(p.retry)), times...), p.retry...)
}

// finish notes the backlog when the run ends at now.
func (p *pacer) finish(now int64) { p.backlogAtEnd = p.backlog(now) }

// backlog returns how many requests were due by now and not yet sent.
func (p *pacer) backlog(now int64) int64 {
	n := int64(len(p.retry))
	if now >= p.first {
		due := (now-p.first)/p.period + 1
		if p.limit >= 0 {
			due = min(due, p.limit)
		}
		n += max(due-p.next, 0)
	}
	return n
}

// connList is a FIFO of connections threaded through the connections
// themselves, so that a connection can leave it from anywhere (when it
// closes) without a search or an allocation.
type connList struct {
	head, tail *conn
}

func (l *connList) empty() bool { return l.head == nil }

func (l *connList) push(c *conn) {
	c.inFree, c.freeNext, c.freePrev = true, nil, l.tail
	if l.tail != nil {
		l.tail.freeNext = c
	} else {
		l.head = c
	}
	l.tail = c
}

func (l *connList) pop() *conn {
	c := l.head
	if c != nil {
		l.remove(c)
	}
	return c
}

func (l *connList) remove(c *conn) {
	if !c.inFree {
		return
	}
	if c.freePrev != nil {
		c.freePrev.freeNext = c.freeNext
	} else {
		l.head = c.freeNext
	}
	if c.freeNext != nil {
		c.freeNext.freePrev = c.freePrev
	} else {
		l.tail = c.freePrev
	}
	c.inFree, c.freeNext, c.freePrev = false, nil, nil
}
