// Command benchrun is the benchmark harness of asynchttpserver: it builds the
// project's Hello World server (../cmd/hello) and the Hello World peers in
// bench/servers, then measures them side by side; and the net/http bridge
// beside the servers that serve the same http.ServeMux (bench/internal/mux),
// in a scenario of their own (mux-json-c64).
//
// Four modes:
//
//	benchrun          throughput: every scenario, every server, interleaved
//	                  rounds; writes results/<date>.md, .csv, -runs.csv, .svg
//	benchrun -cost    instructions per request under valgrind --tool=callgrind;
//	                  writes results/<date>-cost.md and .csv
//	benchrun -idle    memory per idle keep-alive connection (server RSS growth
//	                  ÷ connections); writes results/<date>-idle.md and .csv
//	benchrun -smoke   a seconds-long run of the whole pipeline into a temporary
//	                  directory, asserting only that every server answers
//	                  correctly and that every output file is produced
//
// Servers run pinned to CPU 0 and the load generator to CPU 1 (taskset), one
// core each, except in the all-cores scenario. Settings come from the
// environment: BENCH_ROUNDS (3), BENCH_DURATION (5s), BENCH_WARMUP (1s),
// BENCH_SERVERS and BENCH_SCENARIOS (comma-separated subsets), BENCH_LOADGEN
// (wrk or httpbench; httpbench when ../cmd/httpbench exists),
// BENCH_HTTPBENCH (a prebuilt httpbench binary), BENCH_COST_REPEATS,
// BENCH_COST_LOOPS and BENCH_IDLE_CONNS.
// See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	log.SetPrefix("benchrun: ")
	log.SetFlags(0)
	smoke := flag.Bool("smoke", false, "run the smoke test: correctness only, output into a temporary directory")
	cost := flag.Bool("cost", false, "measure instructions per request under callgrind")
	idle := flag.Bool("idle", false, "measure memory per idle keep-alive connection")
	out := flag.String("out", "results", "`directory` for the results (relative to bench/)")
	flag.Parse()
	if n := btoi(*smoke) + btoi(*cost) + btoi(*idle); n > 1 {
		log.Fatal("-smoke, -cost and -idle are exclusive")
	}

	// Ctrl-C or SIGTERM cancels ctx; every child process is stopped before
	// benchrun exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := run(ctx, mode{smoke: *smoke, cost: *cost, idle: *idle}, *out)
	if errors.Is(ctx.Err(), context.Canceled) {
		err = fmt.Errorf("interrupted")
	}
	if err != nil {
		stop()
		log.Fatal(err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mode is which of benchrun's modes runs; none set: the throughput benchmark.
type mode struct{ smoke, cost, idle bool }

func run(ctx context.Context, m mode, out string) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	ws, err := findWorkspace()
	if err != nil {
		return err
	}
	// Work from bench/ so that the commands in the reports read
	// bin/gnet, wrk/pipeline.lua, ... whatever directory benchrun ran from.
	if err := os.Chdir(ws.bench); err != nil {
		return fmt.Errorf("chdir: %w", err)
	}
	cfg.servers = cfg.forMode(m)
	if len(cfg.servers) == 0 {
		return errors.New("BENCH_SERVERS names no server this mode measures (bench-idle leaves out the net/http bridge's mux servers)")
	}
	switch {
	case m.smoke:
		return runSmoke(ctx, cfg, ws)
	case m.cost:
		return runCost(ctx, cfg, ws, out)
	case m.idle:
		return runIdle(ctx, cfg, ws, out)
	default:
		return runBench(ctx, cfg, ws, out)
	}
}
