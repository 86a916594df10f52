package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"asynchttpserver.dev/bench/internal/loadgen"
	"asynchttpserver.dev/bench/internal/report"
)

// runBench is the throughput benchmark: every scenario and server,
// interleaved over cfg.rounds rounds, then the reports.
func runBench(ctx context.Context, cfg config, ws workspace, out string) error {
	b, err := build(ctx, cfg, ws, cfg.loadgen != "wrk")
	if err != nil {
		return err
	}
	place := pinning()
	gen, err := chooseLoadgen(cfg, b.httpbench, place)
	if err != nil {
		return err
	}
	genAll, err := chooseLoadgen(cfg, b.httpbench, unpinned())
	if err != nil {
		return err
	}
	gate := &quietGate{maxOther: cfg.maxOther}
	r := &runner{place: place, gen: gen, genAll: genAll, duration: cfg.duration, warmup: cfg.warmup, gate: gate}
	rep, servers := newReport(cfg, b, r, cfg.duration, cfg.warmup, cfg.rounds)
	runs := runCount(servers, cfg.scenarios) * cfg.rounds
	per := cfg.warmup + cfg.duration + 500*time.Millisecond
	log.Printf("%d runs with %s, about %v", runs, gen.Name(), (time.Duration(runs) * per).Round(time.Second))
	if err := r.rounds(ctx, rep, servers, cfg.scenarios, cfg.rounds); err != nil {
		return err
	}
	rep.Notes = append(rep.Notes, gate.note())
	files, err := writeOutputs(rep, out)
	if err != nil {
		return err
	}
	return printMarkdown(rep, files)
}

// chooseLoadgen picks the load generator: BENCH_LOADGEN if set, otherwise
// httpbench when it was built, otherwise wrk.
func chooseLoadgen(cfg config, httpbench string, place placement) (loadgen.Generator, error) {
	want := cfg.loadgen
	if want == "" {
		want = "wrk"
		if httpbench != "" {
			want = "httpbench"
		}
	}
	if want == "httpbench" {
		if httpbench == "" {
			return nil, fmt.Errorf("BENCH_LOADGEN=httpbench, but there is no httpbench binary (set BENCH_HTTPBENCH or add ../cmd/httpbench)")
		}
		return &loadgen.Httpbench{Path: httpbench, Prefix: place.load}, nil
	}
	path, err := exec.LookPath("wrk")
	if err != nil {
		return nil, fmt.Errorf("wrk not found (apt-get install -y wrk): %w", err)
	}
	return &loadgen.Wrk{Path: path, ScriptDir: "wrk", Prefix: place.load}, nil
}

// runCount returns the runs of one round: each scenario over the servers
// it measures.
func runCount(servers []serverDef, scenarios []string) int {
	n := 0
	for _, key := range scenarios {
		n += len(lookupScenario(key).serversOf(servers))
	}
	return n
}

// newReport describes the run for the outputs and returns the servers to
// measure: ours only when it was built, and only servers that one of the
// scenarios measures (the mux servers in the mux scenarios, the Hello
// World servers in the others).
func newReport(cfg config, b buildResult, r *runner, d, warmup time.Duration, rounds int) (*report.Report, []serverDef) {
	place := r.place
	rep := &report.Report{
		Title: "asynchttpserver benchmark", Date: time.Now().Format(time.DateOnly), Command: invocation(), Commit: commit(),
		Machine: machine(), Pinning: place.note, LoadGen: r.gen.Version(),
		Rounds: rounds, Duration: d, Warmup: warmup, Notes: b.notes,
	}
	allCores, hello, mux := false, false, false
	for _, key := range cfg.scenarios {
		sc := lookupScenario(key)
		allCores = allCores || sc.allCores
		hello, mux = hello || !sc.mux, mux || sc.mux
	}
	if allCores {
		rep.Pinning += "; in the all-cores scenario, " + unpinned().note
	}
	var servers []serverDef
	for _, key := range cfg.servers {
		sv := lookupServer(key)
		if (key == oursKey && !b.ours) || (sv.mux && !mux) || (!sv.mux && !hello) {
			continue
		}
		servers = append(servers, sv)
		srv := report.Server{Key: sv.key, Label: sv.label(), Command: shellJoin(sv.command(place.server, "127.0.0.1:PORT", false))}
		if allCores && !sv.mux {
			srv.AllCoresCommand = shellJoin(sv.command(nil, "127.0.0.1:PORT", true))
		}
		if sv.mux {
			srv.Group = muxGroup
		}
		rep.Servers = append(rep.Servers, srv)
	}
	if hello {
		rep.Reference, rep.Notes = reference(servers, rep.Notes)
	}
	for _, key := range cfg.scenarios {
		sc := lookupScenario(key)
		rs := sc.reportScenario(r.generator(sc), d)
		if sc.mux {
			rs.Reference = muxReference(servers)
		}
		rep.Scenarios = append(rep.Scenarios, rs)
	}
	rep.ChartFile = rep.Date + ".svg"
	return rep, servers
}

// invocation returns the harness's command line as run from bench/, with
// the BENCH_* settings in force.
func invocation() string {
	var parts []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BENCH_") {
			parts = append(parts, kv)
		}
	}
	slices.Sort(parts)
	parts = append(parts, "go run ./cmd/benchrun")
	return strings.Join(append(parts, os.Args[1:]...), " ")
}

// reference picks the server that the Hello World scenarios' ratios are
// relative to: ours, or net/http when ours is not measured.
func reference(servers []serverDef, notes []string) (string, []string) {
	for _, want := range []string{oursKey, "nethttp"} {
		for _, s := range servers {
			if s.key == want {
				if want != oursKey {
					notes = append(notes, "ours was not measured, so ratios are to net/http")
				}
				return want, notes
			}
		}
	}
	return "", notes
}

// muxReference picks the server that the mux scenarios' ratios are
// relative to: the first of muxReferenceKeys that is measured; "" for none.
func muxReference(servers []serverDef) string {
	for _, key := range muxReferenceKeys {
		for _, s := range servers {
			if s.key == key {
				return key
			}
		}
	}
	return ""
}

// rounds runs every scenario on every server, round after round. Each round
// starts one server further along the list, so that drift in the machine's
// speed spreads over all servers alike. A failed run is noted and skipped.
func (r *runner) rounds(ctx context.Context, rep *report.Report, servers []serverDef, scenarios []string, rounds int) error {
	total, done := rounds*runCount(servers, scenarios), 0
	for round := 1; round <= rounds; round++ {
		for _, key := range scenarios {
			sc := lookupScenario(key)
			for _, sv := range rotate(sc.serversOf(servers), round-1) {
				done++
				run, err := r.measureQuietly(ctx, round, sc, sv)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				prefix := fmt.Sprintf("[%d/%d] round %d %-15s %-16s", done, total, round, sc.key, sv.key)
				if err != nil {
					log.Printf("%s FAILED: %v", prefix, err)
					rep.Notes = append(rep.Notes, fmt.Sprintf("round %d, %s, %s failed: %s", round, sc.key, sv.key, firstLines(err.Error(), 2)))
					continue
				}
				log.Printf("%s %s", prefix, describe(run))
				rep.Runs = append(rep.Runs, run)
			}
		}
	}
	return nil
}

// rotate returns s rotated left by k.
func rotate[T any](s []T, k int) []T {
	if len(s) == 0 {
		return nil
	}
	k %= len(s)
	return append(append([]T{}, s[k:]...), s[:k]...)
}

// outputFiles are the paths writeOutputs wrote.
type outputFiles struct {
	markdown, csv, runsCSV, chart string
}

// writeOutputs writes <date>.md, <date>.csv, <date>-runs.csv and
// <date>.svg into dir.
func writeOutputs(rep *report.Report, dir string) (outputFiles, error) {
	base := filepath.Join(dir, rep.Date)
	f := outputFiles{markdown: base + ".md", csv: base + ".csv", runsCSV: base + "-runs.csv", chart: base + ".svg"}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	for path, write := range map[string]func(*bytes.Buffer) error{
		f.markdown: func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) },
		f.csv:      func(b *bytes.Buffer) error { return rep.WriteCSV(b) },
		f.runsCSV:  func(b *bytes.Buffer) error { return rep.WriteRunsCSV(b) },
		f.chart:    func(b *bytes.Buffer) error { return rep.WriteChart(b) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return f, fmt.Errorf("%s: %w", path, err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return f, err
		}
	}
	return f, nil
}

// printMarkdown prints the report on standard output and where it went.
func printMarkdown(rep *report.Report, f outputFiles) error {
	if err := rep.WriteMarkdown(os.Stdout); err != nil {
		return err
	}
	log.Printf("wrote %s, %s, %s, %s", f.markdown, f.csv, f.runsCSV, f.chart)
	return nil
}
