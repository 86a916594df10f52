package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressInterval is how often the live line is redrawn: often enough to
// watch, rarely enough to cost nothing.
const progressInterval = 250 * time.Millisecond

// progress draws a live status line on a terminal, rewriting it in place
// with a carriage return, until stopped.
type progress struct {
	out     io.Writer
	workers []*worker
	start   time.Time
	tick    <-chan time.Time // when to redraw
	stop    chan struct{}
	done    chan struct{}
}

// startProgress starts drawing on out every progressInterval, unless out
// is not a terminal: then it returns nil, and the run stays quiet for
// scripts and logs.
func startProgress(out io.Writer, workers []*worker, start time.Time) *progress {
	f, ok := out.(*os.File)
	if !ok || !isTerminal(int(f.Fd())) {
		return nil
	}
	t := time.NewTicker(progressInterval)
	p := newProgress(out, workers, start, t.C)
	go func() {
		p.loop()
		t.Stop()
	}()
	return p
}

// newProgress returns a progress line that redraws on every tick once
// its loop runs.
func newProgress(out io.Writer, workers []*worker, start time.Time, tick <-chan time.Time) *progress {
	return &progress{out: out, workers: workers, start: start, tick: tick,
		stop: make(chan struct{}), done: make(chan struct{})}
}

func (p *progress) loop() {
	defer close(p.done)
	lastReqs, lastTime := int64(0), p.start
	for {
		select {
		case <-p.stop:
			fmt.Fprint(p.out, "\r\x1b[K") // erase the line for the summary
			return
		case now := <-p.tick:
			if now.Before(p.start) {
				fmt.Fprintf(p.out, "\r  warming up, %.1fs to go\x1b[K", p.start.Sub(now).Seconds())
				continue
			}
			var reqs, errs int64
			for _, w := range p.workers {
				reqs += w.live.requests.Load()
				errs += w.live.errors.Load()
			}
			rate := float64(reqs-lastReqs) / now.Sub(lastTime).Seconds()
			fmt.Fprint(p.out, progressLine(now.Sub(p.start), reqs, rate, errs))
			lastReqs, lastTime = reqs, now
		}
	}
}

// Stop erases the line and waits for the drawing goroutine to end. It
// may be called on a nil progress.
func (p *progress) Stop() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}

// progressLine formats one state of the live line: it starts with a
// carriage return and ends with an erase-to-end-of-line, so that a
// shorter line leaves no debris of a longer one.
func progressLine(elapsed time.Duration, reqs int64, rate float64, errs int64) string {
	return fmt.Sprintf("\r  %6.1fs  %12s requests  %10s req/s  %s errors\x1b[K",
		elapsed.Seconds(), groupDigits(reqs), groupDigits(int64(rate+0.5)), groupDigits(errs))
}

// groupDigits writes n with thousands separators: 1234567 → 1,234,567.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
