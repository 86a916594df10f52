package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"asynchttpserver.dev/bench/internal/proc"
	"asynchttpserver.dev/bench/internal/report"
)

// The machine is shared: a compile or a fuzzer on the other core can halve a
// server's throughput. quietGate waits for a quiet machine before each run
// and repeats a run during which other processes were busy, within a bounded
// budget of extra time so that the full benchmark stays under ten minutes.
const (
	quietWindow   = 250 * time.Millisecond // how long each quietness sample lasts
	quietMaxWait  = 15 * time.Second       // the longest wait before one run
	quietBudget   = 100 * time.Second      // all waits and repeats of a benchmark together
	quietRepeats  = 2                      // repeats of one run at most
	defaultQuiet  = 0.25                   // BENCH_MAX_OTHER: cores
	quietLogEvery = 5 * time.Second
)

// quietGate holds the noise settings and what they have cost so far.
type quietGate struct {
	maxOther float64 // CPU share of other processes above which a run is noisy; 0 disables the gate
	spent    time.Duration
	waited   time.Duration
	repeats  int
}

// enabled reports whether the gate does anything.
func (q *quietGate) enabled() bool { return q != nil && q.maxOther > 0 }

// left returns the unspent budget.
func (q *quietGate) left() time.Duration { return quietBudget - q.spent }

// waitQuiet returns once the machine's CPU use, sampled over quietWindow,
// is below maxOther, or when the wait or the budget runs out.
func (q *quietGate) waitQuiet(ctx context.Context) error {
	if !q.enabled() {
		return nil
	}
	start, lastLog := time.Now(), time.Now()
	for {
		busy, err := machineBusy(ctx, quietWindow)
		if err != nil || busy <= q.maxOther {
			q.account(start)
			return err
		}
		if time.Since(start) >= quietMaxWait || time.Since(start) >= q.left() {
			q.account(start)
			log.Printf("machine still busy (%s of a core): running anyway", report.Percent0(busy))
			return nil
		}
		if time.Since(lastLog) >= quietLogEvery {
			log.Printf("waiting for a quiet machine (other processes use %s of a core)", report.Percent0(busy))
			lastLog = time.Now()
		}
	}
}

func (q *quietGate) account(start time.Time) {
	d := time.Since(start)
	if d > quietWindow {
		q.spent += d
		q.waited += d
	}
}

// repeat reports whether a run that took d should be repeated.
func (q *quietGate) repeat(run report.Run, attempt int, d time.Duration) bool {
	if !q.enabled() || run.OtherCPU <= q.maxOther || attempt >= quietRepeats || d > q.left() {
		return false
	}
	q.spent += d
	q.repeats++
	return true
}

// note summarises the gate's work for the report.
func (q *quietGate) note() string {
	if !q.enabled() {
		return "runs were not checked for other load (BENCH_MAX_OTHER=0)"
	}
	return fmt.Sprintf("before each run the harness waited for other processes to use under %s of a core "+
		"(%v spent waiting in all); %d run(s) were repeated because other processes used more during them, "+
		"keeping the quietest attempt", report.Percent0(q.maxOther), q.waited.Round(time.Second), q.repeats)
}

// machineBusy samples the machine's busy CPU share over d.
func machineBusy(ctx context.Context, d time.Duration) (float64, error) {
	before, err := proc.SystemBusy()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(d):
	}
	after, err := proc.SystemBusy()
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(time.Since(t0)), nil
}

// measureQuietly measures a run after waiting for a quiet machine and
// repeats it while other processes disturbed it, within the gate's limits.
// It returns the attempt with the least other load.
func (r *runner) measureQuietly(ctx context.Context, round int, sc scenarioDef, sv serverDef) (report.Run, error) {
	var best report.Run
	for attempt := 0; ; attempt++ {
		if err := r.gate.waitQuiet(ctx); err != nil {
			return best, err
		}
		start := time.Now()
		run, err := r.measure(ctx, round, sc, sv)
		if err != nil {
			return run, err
		}
		if attempt == 0 || run.OtherCPU < best.OtherCPU {
			best = run
		}
		if !r.gate.repeat(run, attempt, time.Since(start)) {
			return best, nil
		}
		log.Printf("other processes used %s of a core during %s/%s: repeating", report.Percent0(run.OtherCPU), sc.key, sv.key)
	}
}
