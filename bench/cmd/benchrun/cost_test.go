package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCostResult(t *testing.T) {
	r := &costResult{server: lookupServer("gnet"), instr: [][2]int64{
		{1_000_000, 1_000_000 + 18000*3000},
		{1_100_000, 1_100_000 + 18000*3100},
		{900_000, 900_000 + 18000*2900},
	}}
	if got := r.marginal(); got != 3000 {
		t.Errorf("marginal = %v, want 3000", got)
	}
	if lo, hi := r.spread(); lo != 2900 || hi != 3100 {
		t.Errorf("spread = %v–%v, want 2900–3100", lo, hi)
	}
	if got := r.medianInstr(0); got != 1_000_000 {
		t.Errorf("medianInstr(0) = %v", got)
	}
	var md, cs bytes.Buffer
	results := []*costResult{r, {server: lookupServer("nethttp"), err: errTest}}
	writeCostMarkdown(&md, "2026-01-01", results, nil, placement{note: "pinned"}, "valgrind")
	if !strings.Contains(md.String(), "| 3,000 | 2,900–3,100 (±3.3 %) |") || !strings.Contains(md.String(), "failed") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := writeCostCSV(&cs, "2026-01-01", results); err != nil || strings.Count(cs.String(), "\n") != 4 {
		t.Errorf("csv (%v):\n%s", err, cs.String())
	}
}

var errTest = errors.New("boom")

func TestCostEnv(t *testing.T) {
	for _, c := range []struct{ harness, want string }{
		{"", "GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off"},
		{"gctrace=1", "GODEBUG=gctrace=1,asyncpreemptoff=1,cpu.rdtscp=off"},
	} {
		env := costEnv(c.harness)
		if len(env) != 2 || env[0] != c.want || env[1] != "GOMAXPROCS=1" {
			t.Errorf("costEnv(%q) = %q, want [%s GOMAXPROCS=1]", c.harness, env, c.want)
		}
	}
}

// TestCostFailsWhenAPeerDies: a peer that dies under callgrind (here a
// stand-in for valgrind that kills itself with SIGILL, as valgrind 3.19's
// servers did in runtime.cputicks) fails the whole command, naming the
// peer and the signal, and no table is written with ours alone. The
// stand-in also records the environment it was given: the server's.
func TestCostFailsWhenAPeerDies(t *testing.T) {
	dir := t.TempDir()
	seen := filepath.Join(dir, "godebug")
	fake := filepath.Join(dir, "valgrind")
	script := "#!/bin/sh\necho \"$GODEBUG\" > " + seen + "\nkill -ILL $$\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ours := &costResult{server: lookupServer(oursKey)}
	peer := &costResult{server: lookupServer("gnet")}
	results := []*costResult{ours, peer}
	calls, wrote := 0, false
	measure := func(res *costResult, rep int) {
		calls++
		if res == ours { // ours survives, as it did
			res.instr = append(res.instr, [2]int64{1e6, 1e6 + 18000*3000})
			return
		}
		measureCost(context.Background(), res, rep, fake, dir, placement{}, costEnv(""))
	}
	err := measureThenWrite(context.Background(), results, 3, measure, func() error { wrote = true; return nil })
	if err == nil || wrote {
		t.Fatalf("a peer died: error %v, table written %v; want an error and no table", err, wrote)
	}
	for _, want := range []string{"1 of 2 servers failed", "gnet", "illegal instruction", "no table was written"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if calls != 2 {
		t.Errorf("%d measurements; want the first repeat only (2), then stop", calls)
	}
	got, rerr := os.ReadFile(seen)
	if rerr != nil || strings.TrimSpace(string(got)) != "asyncpreemptoff=1,cpu.rdtscp=off" {
		t.Errorf("the server ran with GODEBUG=%q (%v)", got, rerr)
	}
	// runCost returns that error: main prints it on stderr and exits 1.
	// With every server measured, the tables are written.
	wrote = false
	if err := measureThenWrite(context.Background(), []*costResult{{server: lookupServer("gnet")}}, 2,
		func(res *costResult, rep int) { res.instr = append(res.instr, [2]int64{1, 2}) },
		func() error { wrote = true; return nil }); err != nil || !wrote {
		t.Errorf("every server measured: error %v, table written %v", err, wrote)
	}
}

// withMarginal returns r with one repeat whose marginal cost is m.
func withMarginal(r *costResult, m int64) *costResult {
	r.instr = [][2]int64{{1_000_000, 1_000_000 + 18000*m}}
	return r
}

func TestLoopsTable(t *testing.T) {
	ours := lookupServer(oursKey)
	v := costLoopVariants(2)
	results := []*costResult{
		withMarginal(&costResult{server: ours}, 3000),
		withMarginal(v[0], 3100), // 2 loops, GOMAXPROCS=1: 1.03, met
		withMarginal(v[1], 3000), // 1 loop, GOMAXPROCS=2
		withMarginal(v[2], 3300), // 2 loops, GOMAXPROCS=2: 1.10, missed
		withMarginal(&costResult{server: lookupServer("gnet")}, 3200),
	}
	var md bytes.Buffer
	writeCostMarkdown(&md, "2026-01-01", results, nil, placement{note: "pinned"}, "valgrind")
	out := md.String()
	for _, want := range []string{
		"## One loop and 2 loops (ours)",
		"| 1 | 3,000 | 3,000–3,000 (±0.0 %) | 3,100 | 3,100–3,100 (±0.0 %) | 1.03 | met |",
		"| 2 | 3,000 | 3,000–3,000 (±0.0 %) | 3,300 | 3,300–3,300 (±0.0 %) | 1.10 | **missed** |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	// The variants are not rows of the main table.
	if n := strings.Count(out, "| asynchttpserver (ours) |"); n != 1 {
		t.Errorf("ours has %d rows in the main table, want 1:\n%s", n, out)
	}
	var cs bytes.Buffer
	if err := writeCostCSV(&cs, "2026-01-01", results); err != nil || !strings.Contains(cs.String(), ",2,2,2\n") {
		t.Errorf("csv (%v) lacks the 2-loop, 2-connection, GOMAXPROCS=2 row:\n%s", err, cs.String())
	}
}

func TestCostVariantCommands(t *testing.T) {
	v := costLoopVariants(4)[2]
	if v.key() != "ours -loops 4 GOMAXPROCS=4" || v.conns() != 4 {
		t.Errorf("key %q, conns %d", v.key(), v.conns())
	}
	env := v.env(costEnv(""))
	if len(env) != 2 || env[1] != "GOMAXPROCS=4" {
		t.Errorf("env = %q", env)
	}
	got := shellJoin(costClientArgs(placement{load: []string{"taskset", "-c", "1"}}, "127.0.0.1:9", "/", 2000, 4, 77))
	if got != "taskset -c 1 bin/costclient -addr 127.0.0.1:9 -n 2000 -c 4 -pid 77" {
		t.Errorf("client = %q", got)
	}
	if got := shellJoin(costClientArgs(placement{}, "127.0.0.1:9", "/", 2000, 1, 77)); got != "bin/costclient -addr 127.0.0.1:9 -n 2000" {
		t.Errorf("one-connection client = %q", got)
	}
	if got := shellJoin(costClientArgs(placement{}, "127.0.0.1:9", "/hello/world", 2000, 1, 0)); got != "bin/costclient -addr 127.0.0.1:9 -n 2000 -path /hello/world" {
		t.Errorf("mux client = %q", got)
	}
}

// TestCostMuxTable: the mux servers have a table of their own, ratios to
// net/http's ServeMux, and are not rows of the Hello World table.
func TestCostMuxTable(t *testing.T) {
	results := []*costResult{
		withMarginal(&costResult{server: lookupServer(oursKey)}, 3000),
		withMarginal(&costResult{server: lookupServer("nethttp")}, 9000),
		withMarginal(&costResult{server: lookupServer("bridge-inline")}, 6000),
		withMarginal(&costResult{server: lookupServer("nethttp-mux")}, 12000),
	}
	results[2].client = "bin/costclient -addr 127.0.0.1:PORT -n 2000 -path /hello/world"
	var md bytes.Buffer
	writeCostMarkdown(&md, "2026-01-01", results, nil, placement{note: "pinned"}, "valgrind")
	out := md.String()
	main, muxTable, ok := strings.Cut(out, "## "+muxGroup)
	if !ok {
		t.Fatalf("no mux table:\n%s", out)
	}
	if !strings.Contains(main, "| × ours |") || !strings.Contains(main, "| 9,000 | 9,000–9,000 (±0.0 %) | 3.00 |") || strings.Contains(main, "bridge") {
		t.Errorf("main table:\n%s", main)
	}
	for _, want := range []string{"| × nethttp-mux |", "| bridge, inline (ours) |", "| 6,000 | 6,000–6,000 (±0.0 %) | 0.50 |", "| 12,000 | 12,000–12,000 (±0.0 %) | 1.00 |",
		"client: `bin/costclient -addr 127.0.0.1:PORT -n 2000 -path /hello/world`"} {
		if !strings.Contains(muxTable, want) {
			t.Errorf("mux table lacks %q:\n%s", want, muxTable)
		}
	}
}
