package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"asynchttpserver.dev/bench/internal/proc"
	"asynchttpserver.dev/bench/internal/server"
)

// The idle-memory measurement: a server's resident memory grows by so much
// per keep-alive connection that has been served once and then sits idle.
const (
	// idleQuiet is how long the connections sit idle before the first
	// reading: ours sheds an idle connection's working state a second after
	// it goes idle (a sweep each second), so two seconds cover it.
	idleQuiet = 2 * time.Second
	// idleSample is the interval between RSS readings while waiting for
	// the figure to settle, idleSettled the span over which the readings
	// must agree, and idleSettleMax the longest wait.
	idleSample    = 250 * time.Millisecond
	idleSettled   = time.Second
	idleSettleMax = 20 * time.Second
	// idleTolerance is how far readings may differ and still count as
	// settled: 64 KiB, or 0.2 % of the RSS if that is more.
	idleTolerance     = 64 << 10
	idleToleranceFrac = 0.002
	idleClientLimit   = 3 * time.Minute // to open every connection
)

// idleSettings are what differs between the measurement and its smoke run.
type idleSettings struct {
	conns  int
	quiet  time.Duration // before the first reading after the connections are open
	settle time.Duration // the longest wait for the readings to agree; 0: one reading
}

// idleRun is one server's measurement in one round.
type idleRun struct {
	round      int
	server     string
	conns      int
	before     int64         // VmRSS with no connection open, settled
	after      int64         // VmRSS with every connection open and idle, settled
	peak       int64         // VmHWM at the end
	slabBefore int64         // the machine's kernel slab memory at the same moments
	slabAfter  int64         //
	settle     time.Duration // from the end of idleQuiet to the settled reading
	settled    bool          // false: idleSettleMax ran out first
	openSecs   float64       // the client's time to open and serve every connection
	sources    []string
}

// perConn returns the server's RSS growth per connection, in bytes.
func (r idleRun) perConn() float64 { return float64(r.after-r.before) / float64(r.conns) }

// slabPerConn returns the growth of the machine's slab memory per
// connection: the kernel's share of both ends, and whatever else the machine
// did meanwhile.
func (r idleRun) slabPerConn() float64 { return float64(r.slabAfter-r.slabBefore) / float64(r.conns) }

// clientReady and clientDone are idleclient's two output lines.
type clientReady struct {
	Connections int      `json:"connections"`
	Sources     []string `json:"sources"`
	Seconds     float64  `json:"seconds"`
	NoFile      uint64   `json:"nofile"`
}

type clientDone struct {
	Open       int `json:"open"`
	Closed     int `json:"closed"`
	Unexpected int `json:"unexpected"`
}

// idleClientArgs returns idleclient's command line.
func idleClientArgs(place placement, addr string, conns int) []string {
	return append(append([]string{}, place.load...), filepath.Join(binDir, "idleclient"), "-addr", addr, "-c", strconv.Itoa(conns))
}

// measureIdle starts the server, reads its settled RSS, has idleclient open
// and serve every connection, waits, reads the settled RSS again, checks
// that every connection is still open, and stops both.
func (r *runner) measureIdle(ctx context.Context, round int, sv serverDef, set idleSettings) (idleRun, error) {
	run := idleRun{round: round, server: sv.key, conns: set.conns}
	p, err := r.startServer(ctx, sv, false)
	if err != nil {
		return run, err
	}
	defer p.Stop(stopGrace)
	if run.before, _, _, err = settledRSS(ctx, p, set.settle); err != nil {
		return run, err
	}
	if run.slabBefore, err = proc.Slab(); err != nil {
		return run, err
	}
	cctx, cancel := context.WithTimeout(ctx, idleClientLimit+set.quiet+set.settle+time.Minute)
	defer cancel()
	argv := idleClientArgs(r.place, p.Addr, set.conns)
	cmd := exec.CommandContext(cctx, argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return run, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return run, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return run, err
	}
	// The client exits once its standard input ends; stderr is complete
	// once it has been waited for.
	finish := sync.OnceValue(func() error { stdin.Close(); return cmd.Wait() })
	defer finish()
	lines := bufio.NewScanner(stdout)
	var ready clientReady
	if err := readJSONLine(lines, &ready); err != nil {
		finish()
		return run, fmt.Errorf("%s: %w: %s", shellJoin(argv), err, strings.TrimSpace(stderr.String()))
	}
	if ready.Connections != set.conns {
		return run, fmt.Errorf("idleclient opened %d connections, want %d", ready.Connections, set.conns)
	}
	run.openSecs, run.sources = ready.Seconds, ready.Sources
	if err := sleepCtx(ctx, set.quiet); err != nil {
		return run, err
	}
	if run.after, run.settle, run.settled, err = settledRSS(ctx, p, set.settle); err != nil {
		return run, err
	}
	if run.slabAfter, err = proc.Slab(); err != nil {
		return run, err
	}
	if run.peak, err = proc.PeakRSS(p.Pid()); err != nil {
		return run, err
	}
	stdin.Close()
	var done clientDone
	if err := readJSONLine(lines, &done); err != nil {
		finish()
		return run, fmt.Errorf("idleclient's last line: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if done.Open != set.conns {
		return run, fmt.Errorf("the server kept %d of %d idle connections open (%d closed, %d with unexpected bytes)",
			done.Open, set.conns, done.Closed, done.Unexpected)
	}
	if p.Exited() {
		return run, errors.New("server exited during the run: " + p.Output())
	}
	return run, nil
}

// readJSONLine decodes the next line of lines into v.
func readJSONLine(lines *bufio.Scanner, v any) error {
	if !lines.Scan() {
		if err := lines.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(lines.Bytes(), v)
}

// sleepCtx waits for d or until ctx ends. The wait is the measurement's
// subject (memory after d of idleness), not a synchronisation.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// settledRSS reads the server's VmRSS every idleSample until the readings
// of the last idleSettled agree within the tolerance, or max has passed
// (then settled is false); with max 0 it takes one reading. It returns the
// last reading and how long the wait took.
func settledRSS(ctx context.Context, p *server.Process, max time.Duration) (rss int64, took time.Duration, settled bool, err error) {
	start := time.Now()
	var window []int64
	need := int(idleSettled/idleSample) + 1
	for {
		rss, err = proc.RSS(p.Pid())
		if err != nil {
			return 0, 0, false, err
		}
		if max <= 0 {
			return rss, 0, true, nil
		}
		window = append(window, rss)
		if len(window) > need {
			window = window[1:]
		}
		if len(window) == need && agree(window) {
			return rss, time.Since(start), true, nil
		}
		if time.Since(start) >= max {
			return rss, time.Since(start), false, nil
		}
		if err := sleepCtx(ctx, idleSample); err != nil {
			return 0, 0, false, err
		}
	}
}

// agree reports whether readings differ by no more than the tolerance.
func agree(readings []int64) bool {
	lo, hi := readings[0], readings[0]
	for _, r := range readings {
		lo, hi = min(lo, r), max(hi, r)
	}
	return float64(hi-lo) <= max(idleTolerance, idleToleranceFrac*float64(hi))
}

// runIdle measures idle memory per connection for every server, servers
// interleaved over cfg.rounds rounds, and writes the report.
func runIdle(ctx context.Context, cfg config, ws workspace, out string) error {
	b, err := build(ctx, cfg, ws, false)
	if err != nil {
		return err
	}
	r := &runner{place: pinning()}
	var servers []serverDef
	for _, key := range cfg.servers {
		if key != oursKey || b.ours {
			servers = append(servers, lookupServer(key))
		}
	}
	set := idleSettings{conns: cfg.idleConns, quiet: idleQuiet, settle: idleSettleMax}
	log.Printf("idle memory: %d connections per server, %d servers × %d rounds", set.conns, len(servers), cfg.rounds)
	var runs []idleRun
	var notes []string
	for round := 1; round <= cfg.rounds; round++ {
		for _, sv := range rotate(servers, round-1) {
			run, err := r.measureIdle(ctx, round, sv, set)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				log.Printf("round %d %-9s FAILED: %v", round, sv.key, err)
				notes = append(notes, fmt.Sprintf("round %d, %s failed: %s", round, sv.key, firstLines(err.Error(), 2)))
				continue
			}
			log.Printf("round %d %-9s %s", round, sv.key, describeIdle(run))
			runs = append(runs, run)
		}
	}
	return writeIdle(idleReport{servers: servers, runs: runs, notes: append(b.notes, notes...), place: r.place, conns: set.conns}, out, os.Stdout)
}

// describeIdle formats a run for the progress log.
func describeIdle(run idleRun) string {
	s := fmt.Sprintf("%.0f B per connection (RSS %s → %s; slab %+.0f B per connection); opened in %.1f s; settled after %v",
		run.perConn(), mib(run.before), mib(run.after), run.slabPerConn(), run.openSecs, run.settle.Round(time.Millisecond))
	if !run.settled {
		s += " (not settled: last reading)"
	}
	return s
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
