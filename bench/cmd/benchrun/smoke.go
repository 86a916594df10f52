package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"asynchttpserver.dev/bench/internal/loadgen"
	"asynchttpserver.dev/bench/internal/report"
	"asynchttpserver.dev/bench/internal/server"
)

const (
	smokeDuration = 300 * time.Millisecond // load per server and scenario
	smokeRetry    = 2 * time.Second        // load for a second try after no responses at all
	smokeTimeout  = 3 * time.Minute        // bound on the whole smoke run, builds included
)

// runSmoke runs the whole pipeline briefly and asserts only correctness:
// every server answers 200 "Hello World" (the mux servers: 200, their JSON
// hello as application/json at /hello/world) (plain, pipelined, Connection:
// close), every short load run gets correct responses, costclient gets
// correct ones (with -path from the mux servers), and every output file is
// written and non-empty. It never asserts a speed and never needs wrk:
// it drives load with httpbench when that exists, otherwise with the
// in-process Probe. The outputs go to a temporary directory.
func runSmoke(ctx context.Context, cfg config, ws workspace) error {
	ctx, cancel := context.WithTimeout(ctx, smokeTimeout)
	defer cancel()
	start := time.Now()
	b, err := build(ctx, cfg, ws, cfg.loadgen != "wrk")
	if err != nil {
		return err
	}
	place := pinning()
	var gen, genAll loadgen.Generator = loadgen.Probe{}, loadgen.Probe{}
	if b.httpbench != "" {
		gen = &loadgen.Httpbench{Path: b.httpbench, Prefix: place.load}
		genAll = &loadgen.Httpbench{Path: b.httpbench}
	}
	dir, err := os.MkdirTemp("", "bench-smoke-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	r := &runner{place: place, gen: gen, genAll: genAll, duration: smokeDuration}
	rep, servers := newReport(cfg, b, r, smokeDuration, 0, 1)
	var t tally
	r.smokeServers(ctx, servers, &t)
	r.smokeLoad(ctx, rep, servers, cfg.scenarios, &t)
	smokeOutputs(rep, dir, &t)
	r.smokeIdle(ctx, servers, dir, &t)
	if b.ours && slices.Contains(cfg.servers, oursKey) {
		r.smokeLoops(ctx, &t)
	}
	r.smokeCostClient(ctx, servers, &t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	log.Printf("smoke run took %v with load generator %s", time.Since(start).Round(time.Millisecond), gen.Name())
	// The last line alone, in the form test summaries take.
	fmt.Printf("bench-smoke: %d passed, %d failed\n", t.passed, t.failed)
	if t.failed > 0 {
		return errors.New("smoke run failed")
	}
	return nil
}

// smokeServers checks that every server starts and answers correctly.
func (r *runner) smokeServers(ctx context.Context, servers []serverDef, t *tally) {
	for _, sv := range servers {
		p, err := r.startServer(ctx, sv, false)
		if err == nil {
			p.Stop(stopGrace)
		}
		want := sv.want()
		t.check(fmt.Sprintf("%s answers GET %s with 200 %q (plain, pipelined ×16, Connection: close)", sv.key, want.Path, want.Body), err)
	}
}

// smokeLoad runs every scenario briefly against every server it measures.
func (r *runner) smokeLoad(ctx context.Context, rep *report.Report, servers []serverDef, scenarios []string, t *tally) {
	_, strict := r.gen.(loadgen.Probe)
	for _, key := range scenarios {
		sc := lookupScenario(key)
		for _, sv := range sc.serversOf(servers) {
			run, err := r.measure(ctx, 1, sc, sv)
			if err == nil && run.Requests == 0 && run.Errors == 0 {
				// On a busy machine, opening 512 connections can outlast
				// the short run; try once more with time to spare.
				log.Printf("%s/%s: no responses in %v; retrying for %v", sc.key, sv.key, smokeDuration, smokeRetry)
				retry := *r
				retry.duration = smokeRetry
				run, err = retry.measure(ctx, 1, sc, sv)
			}
			if err == nil {
				err = smokeRunError(run, strict)
			}
			if err == nil {
				rep.Runs = append(rep.Runs, run)
			}
			t.check(fmt.Sprintf("%s under %s load: %d correct responses", sv.key, sc.key, run.Requests), err)
		}
	}
}

// smokeRunError judges a load run on correctness alone. The in-process
// Probe checks every response, so any error fails; for an external
// generator, only wrong responses fail, and other errors are logged.
func smokeRunError(run report.Run, strict bool) error {
	switch {
	case run.Requests == 0:
		return errors.New("no responses")
	case run.BadStatus > 0:
		return fmt.Errorf("%d wrong responses", run.BadStatus)
	case strict && run.Errors > 0:
		return fmt.Errorf("%d failed requests", run.Errors)
	case run.Errors > 0:
		log.Printf("warning: %s/%s: %d connection errors", run.Scenario, run.Server, run.Errors)
	}
	return nil
}

// smokeOutputs writes the reports into dir and checks that each exists and
// is non-empty.
func smokeOutputs(rep *report.Report, dir string, t *tally) {
	files, err := writeOutputs(rep, dir)
	t.check("outputs written", err)
	if err != nil {
		return
	}
	for _, path := range []string{files.markdown, files.csv, files.runsCSV, files.chart} {
		t.check("output "+path+" is non-empty", nonEmpty(path))
	}
}

// smokeIdleConns is the idle measurement's connection count in the smoke
// run: enough to exercise two source addresses, few enough to take a
// moment.
const smokeIdleConns = 100

// smokeIdle runs the idle-memory measurement with a few connections, no
// idle wait and single readings: every server must answer every
// connection and keep them all open; the report must be written. The mux
// servers are left out, as bench-idle leaves them out.
func (r *runner) smokeIdle(ctx context.Context, all []serverDef, dir string, t *tally) {
	var servers []serverDef
	for _, sv := range all {
		if !sv.mux {
			servers = append(servers, sv)
		}
	}
	set := idleSettings{conns: smokeIdleConns}
	rep := idleReport{servers: servers, place: r.place, conns: set.conns}
	for _, sv := range servers {
		run, err := r.measureIdle(ctx, 1, sv, set)
		if err == nil && len(run.sources) < 2 {
			err = fmt.Errorf("connections from %v: want two source addresses or more", run.sources)
		}
		if err == nil {
			rep.runs = append(rep.runs, run)
		}
		t.check(fmt.Sprintf("%s keeps %d idle connections open (idle memory)", sv.key, set.conns), err)
	}
	err := writeIdle(rep, dir, nil)
	if err == nil {
		err = nonEmpty(filepath.Join(dir, time.Now().Format(time.DateOnly)+"-idle.md"))
	}
	t.check("idle report written", err)
}

// smokeLoops runs ours on two loops and has costclient place one
// connection on each (the multi-loop rows of bench-cost, without callgrind).
func (r *runner) smokeLoops(ctx context.Context, t *tally) {
	t.check("costclient -c 2 -pid places one connection per loop of ours -loops 2", func() error {
		addr, err := server.FreeAddr()
		if err != nil {
			return err
		}
		argv := append(lookupServer(oursKey).command(r.place.server, addr, false), "-loops", "2")
		p, err := server.Start(argv, nil, addr)
		if err != nil {
			return err
		}
		defer p.Stop(stopGrace)
		if err := p.WaitReady(ctx, readyTimeout); err != nil {
			return err
		}
		return runCostClient(ctx, costClientArgs(r.place, addr, "/", 200, 2, p.Pid()))
	}())
}

// smokeCostClient has costclient send a few requests to every mux server
// with -path, checking each response, as bench-cost does under callgrind.
func (r *runner) smokeCostClient(ctx context.Context, servers []serverDef, t *tally) {
	for _, sv := range servers {
		if !sv.mux {
			continue
		}
		t.check(fmt.Sprintf("costclient -path %s: %s answers 200 requests", sv.want().Path, sv.key), func() error {
			addr, err := server.FreeAddr()
			if err != nil {
				return err
			}
			p, err := server.Start(sv.command(r.place.server, addr, false), nil, addr)
			if err != nil {
				return err
			}
			defer p.Stop(stopGrace)
			if err := p.WaitReady(ctx, readyTimeout); err != nil {
				return err
			}
			return runCostClient(ctx, costClientArgs(r.place, addr, sv.want().Path, 200, 1, 0))
		}())
	}
}

// nonEmpty fails unless path exists and has bytes.
func nonEmpty(path string) error {
	st, err := os.Stat(path)
	if err == nil && st.Size() == 0 {
		err = errors.New("empty")
	}
	return err
}

// tally counts and logs passed and failed checks.
type tally struct{ passed, failed int }

func (t *tally) check(what string, err error) {
	if err != nil {
		t.failed++
		log.Printf("FAIL %s: %v", what, err)
		return
	}
	t.passed++
	log.Printf("ok   %s", what)
}
