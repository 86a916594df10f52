package main

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"asynchttpserver.dev/cmd/httpbench/internal/hist"
)

// result is a finished run: the workers' counts and latencies merged.
type result struct {
	counts
	latency   hist.Histogram // nanoseconds from the intended send time, one value per complete response
	elapsed   float64        // seconds of the measured part, until the last worker stopped
	seconds   []secondRow
	templates int // kinds of request sent

	// Open loop only.
	rate    *rateResult
	service hist.Histogram // nanoseconds from the actual send time

	// CPU time over the measured part: each loop's thread, the whole
	// process, and the server's (given -server-pid); ok false when not
	// measured.
	loopCPU   []time.Duration
	loopCPUOK bool
	procCPU   time.Duration
	procCPUOK bool
	srvCPU    time.Duration
	srvCPUOK  bool
}

// rateResult is what the pacers of an open-loop run counted.
type rateResult struct {
	target  float64 // -rate
	sent    int64
	queued  int64
	late    int64
	dropped int64
	backlog int64 // due but not sent when the run ended
	lag     hist.Histogram
}

// bench performs the run against t: one worker per loop, each on its own
// goroutine, the connections, the -n budget and the -rate shared out
// among them.
func bench(cfg *config, t target, reqs *templateSet, progressOut io.Writer) (*result, error) {
	if cfg.serverPID > 0 {
		if err := checkServerPID(cfg.serverPID); err != nil {
			return nil, fmt.Errorf("-server-pid %d: %w", cfg.serverPID, err)
		}
	}
	if n := runtime.GOMAXPROCS(0); cfg.rate > 0 && n <= cfg.loops {
		// An open loop's workers sleep in raw system calls that keep
		// their Ps (rawwait_linux.go); one more P lets the rest of the
		// program run meanwhile. Pinned to one CPU (taskset), Go starts
		// with a single P.
		runtime.GOMAXPROCS(cfg.loops + 1)
		defer runtime.GOMAXPROCS(n)
	}
	p := newPlan(cfg, t, reqs)
	workers := make([]*worker, cfg.loops)
	for i := range workers {
		conns := share(int64(cfg.conns), cfg.loops, i)
		budget := int64(-1)
		switch {
		case cfg.total > 0 && cfg.rate > 0:
			budget = share(cfg.total, cfg.loops, i) // each loop's schedule sends its share
		case cfg.total > 0:
			budget = budgetShare(cfg.total, cfg.conns, cfg.loops, i)
		}
		w, err := newWorker(p, i, int(conns), budget)
		if err != nil {
			for _, w := range workers[:i] {
				w.loop.Close()
			}
			return nil, err
		}
		workers[i] = w
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(start) })
	}
	prog := startProgress(progressOut, workers, start.Add(cfg.warmup))
	wg.Wait()
	prog.Stop()
	res, err := collect(cfg, workers, start.Add(cfg.warmup))
	if res != nil {
		res.templates = len(reqs.list)
	}
	return res, err
}

// collect merges the workers' figures; measured is when the measured
// part began.
func collect(cfg *config, workers []*worker, measured time.Time) (*result, error) {
	res := &result{loopCPUOK: true}
	var end time.Time
	for _, w := range workers {
		if w.err != nil {
			return nil, w.err
		}
		res.add(&w.counts)
		res.latency.Merge(&w.latency)
		if w.end.After(end) {
			end = w.end
		}
		d, ok := w.cpu.used()
		res.loopCPU = append(res.loopCPU, d)
		res.loopCPUOK = res.loopCPUOK && ok
		if w.pace != nil {
			if res.rate == nil {
				res.rate = &rateResult{target: cfg.rate}
			}
			r, pc := res.rate, w.pace
			r.sent += pc.sent
			r.queued += pc.queued
			r.late += pc.late
			r.dropped += pc.dropped
			r.backlog += pc.backlogAtEnd
			r.lag.Merge(&pc.lag)
			res.service.Merge(&w.service)
		}
	}
	res.procCPU, res.procCPUOK = workers[0].proc.used()
	res.srvCPU, res.srvCPUOK = workers[0].server.used()
	res.elapsed = max(end.Sub(measured).Seconds(), 0)
	res.seconds = workers[0].plan.series.finish(res.elapsed)
	return res, nil
}

// share returns part i of n split into k near-equal parts.
func share(n int64, k, i int) int64 {
	part := n / int64(k)
	if int64(i) < n%int64(k) {
		part++
	}
	return part
}

// budgetShare splits -n among the loops in proportion to their
// connections, so that no loop runs long after the others.
func budgetShare(total int64, conns, loops, i int) int64 {
	var given int64
	parts := make([]int64, loops)
	for j := range parts {
		parts[j] = total * share(int64(conns), loops, j) / int64(conns)
		given += parts[j]
	}
	for j := 0; given < total; j++ {
		parts[j]++
		given++
	}
	return parts[i]
}

// newPlan derives a plan from the configuration.
func newPlan(cfg *config, t target, reqs *templateSet) *plan {
	p := &plan{
		addr:      t.ip.String(),
		port:      t.port,
		reqs:      reqs,
		pipeline:  cfg.pipeline,
		keepAlive: cfg.keepAlive,
		timeout:   cfg.timeout,
		warmup:    cfg.warmup,
		rate:      cfg.rate,
		loops:     cfg.loops,
		serverPID: cfg.serverPID,
		series:    newSeries(cfg.loops),
	}
	if cfg.total == 0 {
		p.duration = cfg.duration
	}
	return p
}
