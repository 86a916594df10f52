package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config holds the settings read from the environment.
type config struct {
	rounds    int           // BENCH_ROUNDS: interleaved rounds
	duration  time.Duration // BENCH_DURATION: measured time per run
	warmup    time.Duration // BENCH_WARMUP: unmeasured load before each run
	servers   []string      // BENCH_SERVERS: server keys, in run order
	scenarios []string      // BENCH_SCENARIOS: scenario keys, in run order
	loadgen   string        // BENCH_LOADGEN: "wrk", "httpbench" or "" (choose)
	httpbench string        // BENCH_HTTPBENCH: path of a prebuilt httpbench
	maxOther  float64       // BENCH_MAX_OTHER: other processes' CPU share that makes a run noisy; 0: no check

	costRepeats int // BENCH_COST_REPEATS: measurements per server in -cost mode
	costLoops   int // BENCH_COST_LOOPS: loops of ours's multi-loop cost rows; 0: max(2, nproc); 1: none

	idleConns int // BENCH_IDLE_CONNS: idle keep-alive connections in -idle mode

	serversGiven bool // BENCH_SERVERS was set: every mode measures exactly those
}

// defaultIdleConns is BENCH_IDLE_CONNS's default: under the 20,000
// descriptors a process may have on the project's machines, with room for
// the server's own.
const defaultIdleConns = 15000

// forMode returns the servers a mode measures: in the smoke run, every
// server (or BENCH_SERVERS); in bench-idle, whose client asks every server
// for Hello World, every server but the mux ones (net/http bridge's peers,
// which serve JSON at /hello/{name} only); in bench and bench-cost,
// BENCH_SERVERS if set, otherwise every server but those that only the
// idle-memory measurement wants by default (evio).
func (c config) forMode(m mode) []string {
	var out []string
	for _, key := range c.servers {
		s := lookupServer(key)
		switch {
		case m.idle && s.mux:
		case !m.idle && !m.smoke && !c.serversGiven && s.idleOnly:
		default:
			out = append(out, key)
		}
	}
	return out
}

// multiLoops returns how many loops ours's multi-loop cost rows run: the
// setting, or the machine's CPUs but at least 2; below 2, none.
func (c config) multiLoops(nproc int) int {
	if c.costLoops == 0 {
		return max(2, nproc)
	}
	return c.costLoops
}

// loadConfig reads the BENCH_* settings through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{rounds: 3, duration: 5 * time.Second, warmup: time.Second, maxOther: defaultQuiet, costRepeats: 3,
		idleConns: defaultIdleConns}
	var err error
	if cfg.rounds, err = intSetting(getenv, "BENCH_ROUNDS", cfg.rounds); err != nil {
		return cfg, err
	}
	if cfg.costRepeats, err = intSetting(getenv, "BENCH_COST_REPEATS", cfg.costRepeats); err != nil {
		return cfg, err
	}
	if cfg.costLoops, err = intSetting(getenv, "BENCH_COST_LOOPS", cfg.costLoops); err != nil {
		return cfg, err
	}
	if cfg.idleConns, err = intSetting(getenv, "BENCH_IDLE_CONNS", cfg.idleConns); err != nil {
		return cfg, err
	}
	if cfg.duration, err = durationSetting(getenv, "BENCH_DURATION", cfg.duration); err != nil {
		return cfg, err
	}
	if cfg.warmup, err = durationSetting(getenv, "BENCH_WARMUP", cfg.warmup); err != nil {
		return cfg, err
	}
	if cfg.servers, err = listSetting(getenv, "BENCH_SERVERS", serverKeys()); err != nil {
		return cfg, err
	}
	cfg.serversGiven = strings.TrimSpace(getenv("BENCH_SERVERS")) != ""
	if cfg.scenarios, err = listSetting(getenv, "BENCH_SCENARIOS", scenarioKeys()); err != nil {
		return cfg, err
	}
	cfg.loadgen = strings.TrimSpace(getenv("BENCH_LOADGEN"))
	if cfg.loadgen != "" && cfg.loadgen != "wrk" && cfg.loadgen != "httpbench" {
		return cfg, fmt.Errorf("BENCH_LOADGEN=%q: want wrk or httpbench", cfg.loadgen)
	}
	cfg.httpbench = strings.TrimSpace(getenv("BENCH_HTTPBENCH"))
	if v := strings.TrimSpace(getenv("BENCH_MAX_OTHER")); v != "" {
		if cfg.maxOther, err = strconv.ParseFloat(v, 64); err != nil || cfg.maxOther < 0 {
			return cfg, fmt.Errorf("BENCH_MAX_OTHER=%q: want a CPU share ≥ 0 such as 0.25 (0 turns the check off)", v)
		}
	}
	if cfg.rounds < 1 || cfg.costRepeats < 1 || cfg.duration <= 0 || cfg.warmup < 0 || cfg.costLoops < 0 || cfg.idleConns < 1 {
		return cfg, fmt.Errorf("BENCH_ROUNDS, BENCH_COST_REPEATS and BENCH_IDLE_CONNS must be ≥ 1, BENCH_COST_LOOPS ≥ 0, BENCH_DURATION > 0 and BENCH_WARMUP ≥ 0")
	}
	return cfg, nil
}

func intSetting(getenv func(string) string, name string, def int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", name, v, err)
	}
	return n, nil
}

// durationSetting accepts a Go duration ("5s", "500ms") or whole seconds ("5").
func durationSetting(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", name, v, err)
	}
	return d, nil
}

// listSetting reads a comma-separated subset of valid; empty means all.
func listSetting(getenv func(string) string, name string, valid []string) ([]string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return valid, nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(valid, f) {
			return nil, fmt.Errorf("%s: unknown %q; choose from %s", name, f, strings.Join(valid, ","))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s=%q names nothing", name, v)
	}
	return out, nil
}
