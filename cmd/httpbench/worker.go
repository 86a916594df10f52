package main

import (
	"fmt"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
	"asynchttpserver.dev/internal/poller"
)

// plan is what every worker of a run shares, read-only.
type plan struct {
	addr      string // the server's IP literal (resolved once, before the run)
	port      int
	request   []byte // pipeline copies of the request, back to back
	reqLen    int    // the length of one copy
	pipeline  int
	keepAlive bool
	head      bool // the method is HEAD: responses have no body
	timeout   time.Duration
	duration  time.Duration // 0 when the run is counted in requests
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
	loop *poller.Loop
	plan *plan
	// conns never grows: its elements are the handlers the loop holds.
	conns []conn
	rbuf  []byte

	budget   int64 // requests not yet issued; negative: unlimited
	active   int   // connections that have not run out of budget
	stopping bool  // the run is over: issue nothing, count nothing more

	counts  counts
	latency hist.Histogram
	live    liveCounts

	sweep    poller.Timer // looks for timed-out requests and connects
	deadline poller.Timer // ends a run of -d duration

	end time.Time // when the worker stopped counting
	err error     // why the loop failed, if it did
}

// newWorker prepares a worker for nconns connections and, for a run
// counted in requests, a budget of them (negative for a timed run).
func newWorker(p *plan, nconns int, budget int64) (*worker, error) {
	l, err := poller.New()
	if err != nil {
		return nil, fmt.Errorf("create event loop: %w", err)
	}
	w := &worker{
		loop:   l,
		plan:   p,
		conns:  make([]conn, nconns),
		rbuf:   make([]byte, readBufSize),
		budget: budget,
		active: nconns,
	}
	for i := range w.conns {
		c := &w.conns[i]
		*c = conn{w: w, sent: make([]int64, p.pipeline)}
		c.parser = responseParser{head: p.head, memo: &c.memo}
	}
	l.InitTimer(&w.sweep, w.onSweep)
	l.InitTimer(&w.deadline, w.finish)
	return w, nil
}

// run starts every connection and polls until the run is over. start is
// the run's common start time.
func (w *worker) run(start time.Time) {
	for i := range w.conns {
		w.conns[i].start()
	}
	if w.active == 0 {
		w.finish()
	}
	if w.plan.duration > 0 {
		w.deadline.Reset(w.plan.duration - time.Since(start))
	}
	w.sweep.Reset(w.sweepPeriod())
	if err := w.loop.Run(); err != nil {
		w.err = fmt.Errorf("event loop: %w", err)
		w.finish()
	}
	for i := range w.conns {
		w.conns[i].closeSocket()
	}
	w.loop.Close()
}

// sweepPeriod is how often the worker looks for timeouts: a tenth of -t,
// so that a timeout is noticed within 10 % of its length, but never more
// often than once a millisecond.
func (w *worker) sweepPeriod() time.Duration {
	return min(max(w.plan.timeout/10, time.Millisecond), 100*time.Millisecond)
}

// finish ends the worker's run: nothing more is issued or counted.
func (w *worker) finish() {
	if w.stopping {
		return
	}
	w.stopping = true
	w.end = time.Now()
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
	if w.budget >= 0 {
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

// record counts a complete response and its latency in nanoseconds.
func (w *worker) record(latency int64, status int, size int64) {
	w.latency.Record(latency)
	w.counts.requests++
	w.counts.bytes += size
	if status < 200 || status > 299 {
		w.counts.errors[kindStatus]++
		if w.counts.first[kindStatus] == nil {
			w.counts.first[kindStatus] = fmt.Errorf("status %d", status)
		}
	}
}

// fail counts n requests failed with an error of kind k; the first error
// of each kind is kept, to show what went wrong.
func (w *worker) fail(k errKind, n int, err error) {
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
// request, unlike a timer re-armed on each.
func (w *worker) onSweep() {
	now := w.loop.Nanotime()
	limit := int64(w.plan.timeout)
	for i := range w.conns {
		c := &w.conns[i]
		switch {
		case c.state == connOpen && c.inflight > 0 && now-c.sent[c.first] >= limit:
			c.timedOut()
		case c.state == connDialing && now-c.since >= limit:
			c.dialTimedOut()
		}
	}
	w.publish()
	w.sweep.Reset(w.sweepPeriod())
}

// newPlan derives a plan from the configuration.
func newPlan(cfg *config, t target) *plan {
	req := requestSpec{
		method: cfg.method, target: t, headers: cfg.headers,
		body: cfg.body, keepAlive: cfg.keepAlive,
	}.format()
	p := &plan{
		addr:      t.ip.String(),
		port:      t.port,
		reqLen:    len(req),
		pipeline:  cfg.pipeline,
		keepAlive: cfg.keepAlive,
		head:      cfg.method == "HEAD",
		timeout:   cfg.timeout,
	}
	if cfg.total == 0 {
		p.duration = cfg.duration
	}
	for range cfg.pipeline {
		p.request = append(p.request, req...)
	}
	return p
}
