package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"asynchttpserver.dev/bench/internal/callgrind"
	"asynchttpserver.dev/bench/internal/report"
	"asynchttpserver.dev/bench/internal/server"
)

// costCounts are the two request counts of the cost measurement; the
// difference of their instruction totals cancels start-up and shutdown.
var costCounts = [2]int{2000, 20000}

const (
	costReadyTimeout = 2 * time.Minute // a Go server under callgrind starts slowly
	costStopGrace    = time.Minute     // callgrind writes its output on exit
	costClientLimit  = 10 * time.Minute
)

// costGODEBUG is what the servers run under callgrind need from GODEBUG:
//   - asyncpreemptoff=1: valgrind 3.19 cannot run Go's asynchronous
//     preemption signals reliably;
//   - cpu.rdtscp=off: on a CPU with RDTSCP, Go reads its tick counter
//     with that instruction (runtime.cputicks), which valgrind 3.19 cannot
//     decode: every server died of SIGILL at start-up on such hosts.
const costGODEBUG = "asyncpreemptoff=1,cpu.rdtscp=off"

// costEnv returns the servers' environment under callgrind, given the
// harness's GODEBUG (kept, with ours after it: the last setting of a name
// wins). One P keeps the runtime's work on one thread.
func costEnv(godebug string) []string {
	if godebug != "" {
		godebug += ","
	}
	return []string{"GODEBUG=" + godebug + costGODEBUG, "GOMAXPROCS=1"}
}

// costResult is one server's instruction counts over the repeats, in one
// configuration: the server's own (loops and procs zero), or one of ours
// with -loops and GOMAXPROCS set (costLoopVariants).
type costResult struct {
	server   serverDef
	loops    int        // ours only: -loops, and as many connections, one per loop; 0: no flag, one connection
	procs    int        // GOMAXPROCS under callgrind; 0 means 1
	instr    [][2]int64 // per repeat: at costCounts[0] and costCounts[1] requests
	err      error      // the first failure; the server is not measured further
	commands [2]string
	client   string // the client's command line, with the port replaced by PORT
}

// variant reports whether this is one of ours's -loops configurations
// rather than a row of the main table.
func (c costResult) variant() bool { return c.loops > 0 }

// conns returns how many connections the client opens.
func (c costResult) conns() int { return max(c.loops, 1) }

// gomaxprocs returns the server's GOMAXPROCS under callgrind.
func (c costResult) gomaxprocs() int { return max(c.procs, 1) }

// key names the configuration in logs: "ours", "ours -loops 2 GOMAXPROCS=2".
func (c costResult) key() string {
	if !c.variant() {
		return c.server.key
	}
	return fmt.Sprintf("%s -loops %d GOMAXPROCS=%d", c.server.key, c.loops, c.gomaxprocs())
}

// costLoopVariants returns ours's configurations for the comparison of one
// loop and n: 1 and n loops (with 1 and n connections), each under
// GOMAXPROCS=1 and GOMAXPROCS=n. The main table's row of ours (no -loops
// flag, GOMAXPROCS=1) is the same server as -loops 1 GOMAXPROCS=1, so that
// one is not measured twice.
func costLoopVariants(n int) []*costResult {
	ours := lookupServer(oursKey)
	return []*costResult{
		{server: ours, loops: n, procs: 1},
		{server: ours, loops: 1, procs: n},
		{server: ours, loops: n, procs: n},
	}
}

// env returns the server's environment under callgrind: base (costEnv's)
// with GOMAXPROCS set to the configuration's.
func (c costResult) env(base []string) []string {
	env := make([]string, 0, len(base))
	for _, kv := range base {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") {
			env = append(env, kv)
		}
	}
	return append(env, fmt.Sprintf("GOMAXPROCS=%d", c.gomaxprocs()))
}

// marginals returns each repeat's instructions per request between the two
// counts.
func (c costResult) marginals() []float64 {
	m := make([]float64, len(c.instr))
	for i, in := range c.instr {
		m[i] = float64(in[1]-in[0]) / float64(costCounts[1]-costCounts[0])
	}
	return m
}

// marginal returns the median of the repeats' marginal costs.
func (c costResult) marginal() float64 { return report.Median(c.marginals()) }

// spread returns the smallest and largest marginal cost over the repeats.
func (c costResult) spread() (lo, hi float64) {
	m := c.marginals()
	return slices.Min(m), slices.Max(m)
}

// medianInstr returns the median instruction total at costCounts[i].
func (c costResult) medianInstr(i int) float64 {
	xs := make([]float64, len(c.instr))
	for j, in := range c.instr {
		xs[j] = float64(in[i])
	}
	return report.Median(xs)
}

// runCost measures instructions per request for every server, repeating
// the whole set cfg.costRepeats times (servers interleaved).
func runCost(ctx context.Context, cfg config, ws workspace, out string) error {
	valgrind, err := exec.LookPath("valgrind")
	if err != nil {
		return fmt.Errorf("valgrind not found (apt-get install -y valgrind): %w", err)
	}
	b, err := build(ctx, cfg, ws, false)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bench-cost-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	place := pinning()
	var results []*costResult
	for _, key := range cfg.servers {
		if key != oursKey || b.ours {
			results = append(results, &costResult{server: lookupServer(key)})
		}
		if n := cfg.multiLoops(nproc()); key == oursKey && b.ours && n >= 2 {
			results = append(results, costLoopVariants(n)...)
		}
	}
	env := costEnv(os.Getenv("GODEBUG"))
	measure := func(res *costResult, rep int) { measureCost(ctx, res, rep, valgrind, tmp, place, env) }
	write := func() error { return writeCost(results, b.notes, place, valgrindVersion(valgrind), out) }
	return measureThenWrite(ctx, results, cfg.costRepeats, measure, write)
}

// measureThenWrite measures every server and writes the tables only if
// every one of them was measured.
func measureThenWrite(ctx context.Context, results []*costResult, repeats int, measure func(*costResult, int), write func() error) error {
	if err := measureAll(ctx, results, repeats, measure); err != nil {
		return err
	}
	return write()
}

// measureAll measures every server repeats times, servers interleaved.
// A server that fails is not measured again, and no further repeat
// starts once one has: the command is going to fail, and says why.
func measureAll(ctx context.Context, results []*costResult, repeats int, measure func(*costResult, int)) error {
	for rep := 1; rep <= repeats; rep++ {
		for _, res := range results {
			if res.err == nil {
				measure(res, rep)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if err := costFailures(results); err != nil {
			return err
		}
	}
	return nil
}

// costFailures returns an error naming every server that failed, or nil.
// A table without a peer's row would read as a comparison and is not
// one: a failed server fails the command, and nothing is written.
func costFailures(results []*costResult) error {
	var failed []string
	for _, r := range results {
		if r.err != nil {
			failed = append(failed, fmt.Sprintf("  %s: %v", r.key(), r.err))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("bench-cost: %d of %d servers failed under callgrind, so no table was written:\n%s",
		len(failed), len(results), strings.Join(failed, "\n"))
}

// measureCost runs a server under callgrind at both request counts and adds
// the counts to res.
func measureCost(ctx context.Context, res *costResult, rep int, valgrind, tmp string, place placement, env []string) {
	var instr [2]int64
	for i, n := range costCounts {
		in, err := callgrindRun(ctx, res, i, valgrind, tmp, n, place, res.env(env))
		if err != nil {
			res.err = fmt.Errorf("%d requests: %w", n, err)
			log.Printf("cost %-9s FAILED: %v", res.key(), res.err)
			return
		}
		instr[i] = in
		log.Printf("cost %-9s repeat %d, %6d requests: %d instructions", res.key(), rep, n, in)
	}
	res.instr = append(res.instr, instr)
	log.Printf("cost %-9s repeat %d: %.0f instructions/request", res.key(), rep, res.marginals()[len(res.instr)-1])
}

// callgrindRun starts the server under callgrind, sends n requests with
// costclient, has callgrind dump its counts, stops the server and reads the
// instruction total. env is the server's extra environment. It records the
// server's command line (as res.commands[i]) and the client's, with the
// port replaced by PORT.
func callgrindRun(ctx context.Context, res *costResult, i int, valgrind, tmp string, n int, place placement, env []string) (int64, error) {
	addr, err := server.FreeAddr()
	if err != nil {
		return 0, err
	}
	name := fmt.Sprintf("callgrind.out.%s.%d", strings.NewReplacer(" ", "", "=", "").Replace(res.key()), n)
	outFile := filepath.Join(tmp, name)
	argv := append(append([]string{}, place.server...), valgrind, "--tool=callgrind", "--dump-instr=no",
		"--callgrind-out-file="+outFile)
	argv = append(argv, res.server.binary(), "-addr", addr)
	argv = append(argv, res.server.args...)
	if res.loops > 0 {
		argv = append(argv, "-loops", strconv.Itoa(res.loops))
	}
	display := strings.Join(env, " ") + " " + strings.ReplaceAll(shellJoin(argv), addr, "127.0.0.1:PORT")
	res.commands[i] = strings.ReplaceAll(display, outFile, name)
	p, err := server.Start(argv, env, addr)
	if err != nil {
		return 0, err
	}
	defer p.Stop(costStopGrace)
	if err := p.WaitReady(ctx, costReadyTimeout); err != nil {
		return 0, err
	}
	client := costClientArgs(place, addr, res.server.want().Path, n, res.conns(), p.Pid())
	res.client = strings.ReplaceAll(strings.ReplaceAll(shellJoin(client), addr, "127.0.0.1:PORT"),
		"-pid "+strconv.Itoa(p.Pid()), "-pid PID")
	if err := runCostClient(ctx, client); err != nil {
		return 0, fmt.Errorf("%w; server output: %s", err, firstLines(p.Output(), 5))
	}
	if err := dumpCounts(ctx, p.Pid()); err != nil {
		return 0, err
	}
	// The dump is in; the server may now stop however it likes (callgrind
	// 3.19 may abort on the signal, see dumpCounts).
	p.Stop(costStopGrace)
	return callgrind.Instructions(outFile + ".1")
}

// costClientArgs returns costclient's command line: n requests for path on
// conns connections, placed one per loop of the server (pid) when there are
// several.
func costClientArgs(place placement, addr, path string, n, conns, pid int) []string {
	argv := append(append([]string{}, place.load...), filepath.Join(binDir, "costclient"),
		"-addr", addr, "-n", strconv.Itoa(n))
	if path != "/" {
		argv = append(argv, "-path", path)
	}
	if conns > 1 {
		argv = append(argv, "-c", strconv.Itoa(conns), "-pid", strconv.Itoa(pid))
	}
	return argv
}

// dumpCounts makes callgrind write the counts so far to <out-file>.1 while
// the server keeps running (callgrind_control talks to it through vgdb).
//
// Counts are not taken from the file callgrind writes at exit because
// valgrind 3.19's callgrind aborts with "threads.c:247
// (vgCallgrind_post_signal): Assertion 'sigNum ==
// vgCallgrind_current_state.sig' failed" when a Go server handles SIGTERM or
// SIGINT: seen with every peer, the signal arriving on the main thread. (A
// likely cause: Go runs the handler on a signal stack it allocated above the
// main thread's stack, which callgrind reads as a return past the handler's
// frame.) The dump needs no signal.
func dumpCounts(ctx context.Context, pid int) error {
	ctx, cancel := context.WithTimeout(ctx, costStopGrace)
	defer cancel()
	out, err := exec.CommandContext(ctx, "callgrind_control", "-d", strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("callgrind_control -d %d: %w: %s", pid, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// runCostClient runs costclient's command line argv.
func runCostClient(ctx context.Context, argv []string) error {
	ctx, cancel := context.WithTimeout(ctx, costClientLimit)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", shellJoin(argv), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// valgrindVersion returns what `valgrind --version` prints.
func valgrindVersion(valgrind string) string {
	out, err := exec.Command(valgrind, "--version").Output()
	if err != nil {
		return "valgrind"
	}
	return strings.TrimSpace(string(out))
}
