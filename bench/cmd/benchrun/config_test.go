package main

import (
	"slices"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.rounds != 3 || cfg.duration != 5*time.Second || cfg.warmup != time.Second || cfg.maxOther != defaultQuiet {
		t.Errorf("defaults = %+v", cfg)
	}
	if !slices.Equal(cfg.servers, serverKeys()) || !slices.Equal(cfg.scenarios, scenarioKeys()) {
		t.Errorf("default subsets = %v, %v", cfg.servers, cfg.scenarios)
	}
}

func TestLoadConfigSettings(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{
		"BENCH_ROUNDS": "5", "BENCH_DURATION": "2", "BENCH_WARMUP": "500ms",
		"BENCH_SERVERS": "gnet, ours,gnet", "BENCH_SCENARIOS": "churn-c64",
		"BENCH_LOADGEN": "httpbench", "BENCH_HTTPBENCH": "/x/httpbench", "BENCH_MAX_OTHER": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{rounds: 5, duration: 2 * time.Second, warmup: 500 * time.Millisecond,
		servers: []string{"gnet", "ours"}, scenarios: []string{"churn-c64"}, loadgen: "httpbench", httpbench: "/x/httpbench"}
	if cfg.rounds != want.rounds || cfg.duration != want.duration || cfg.warmup != want.warmup ||
		!slices.Equal(cfg.servers, want.servers) || !slices.Equal(cfg.scenarios, want.scenarios) ||
		cfg.loadgen != want.loadgen || cfg.httpbench != want.httpbench || cfg.maxOther != 0 {
		t.Errorf("loadConfig = %+v, want %+v", cfg, want)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	for _, m := range []map[string]string{
		{"BENCH_ROUNDS": "x"},
		{"BENCH_ROUNDS": "0"},
		{"BENCH_DURATION": "fast"},
		{"BENCH_SERVERS": "nginx"},
		{"BENCH_SCENARIOS": ","},
		{"BENCH_LOADGEN": "ab"},
		{"BENCH_MAX_OTHER": "-1"},
	} {
		if _, err := loadConfig(env(m)); err == nil {
			t.Errorf("loadConfig(%v): want an error", m)
		}
	}
}

func TestRotate(t *testing.T) {
	s := []string{"a", "b", "c"}
	for k, want := range [][]string{{"a", "b", "c"}, {"b", "c", "a"}, {"c", "a", "b"}, {"a", "b", "c"}} {
		if got := rotate(s, k); !slices.Equal(got, want) {
			t.Errorf("rotate(%v, %d) = %v, want %v", s, k, got, want)
		}
	}
	if rotate([]string(nil), 1) != nil {
		t.Error("rotate(nil) != nil")
	}
}

func TestReference(t *testing.T) {
	all := []serverDef{lookupServer("nethttp"), lookupServer(oursKey)}
	if ref, notes := reference(all, nil); ref != oursKey || len(notes) != 0 {
		t.Errorf("reference with ours = %q, %v", ref, notes)
	}
	if ref, notes := reference(all[:1], nil); ref != "nethttp" || len(notes) != 1 {
		t.Errorf("reference without ours = %q, %v", ref, notes)
	}
	if ref, _ := reference([]serverDef{lookupServer("gnet")}, nil); ref != "" {
		t.Errorf("reference without ours or net/http = %q", ref)
	}
}

func TestServersForMode(t *testing.T) {
	cfg, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	bench, idle, smoke := cfg.forMode(mode{}), cfg.forMode(mode{idle: true}), cfg.forMode(mode{smoke: true})
	if slices.Contains(bench, "evio") || !slices.Contains(idle, "evio") || !slices.Contains(smoke, "evio") {
		t.Errorf("default servers: bench %v, idle %v, smoke %v; evio only in idle and smoke", bench, idle, smoke)
	}
	// The mux servers run in bench, cost and smoke, not in idle (its
	// client asks for Hello World).
	if !slices.Contains(bench, "bridge-inline") || slices.Contains(idle, "bridge-inline") || !slices.Equal(smoke, serverKeys()) {
		t.Errorf("default servers: bench %v, idle %v, smoke %v; the mux servers in bench and smoke only", bench, idle, smoke)
	}
	if cost := cfg.forMode(mode{cost: true}); !slices.Equal(cost, bench) {
		t.Errorf("cost %v, bench %v: want the same", cost, bench)
	}
	cfg, err = loadConfig(env(map[string]string{"BENCH_SERVERS": "evio,ours", "BENCH_IDLE_CONNS": "500", "BENCH_COST_LOOPS": "4"}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.forMode(mode{}), []string{"evio", "ours"}) || cfg.idleConns != 500 || cfg.multiLoops(2) != 4 {
		t.Errorf("BENCH_SERVERS=evio,ours: %v, idle conns %d, loops %d", cfg.forMode(mode{}), cfg.idleConns, cfg.multiLoops(2))
	}
	cfg, err = loadConfig(env(map[string]string{"BENCH_SERVERS": "ours,nethttp-mux"}))
	if err != nil {
		t.Fatal(err)
	}
	if idle := cfg.forMode(mode{idle: true}); !slices.Equal(idle, []string{"ours"}) {
		t.Errorf("BENCH_SERVERS=ours,nethttp-mux: idle measures %v, want ours", idle)
	}
	if cfg, _ := loadConfig(env(nil)); cfg.multiLoops(1) != 2 || cfg.multiLoops(8) != 8 || cfg.idleConns != defaultIdleConns {
		t.Errorf("defaults: loops %d on 1 CPU, %d on 8; idle conns %d", cfg.multiLoops(1), cfg.multiLoops(8), cfg.idleConns)
	}
	for _, bad := range []map[string]string{{"BENCH_IDLE_CONNS": "0"}, {"BENCH_COST_LOOPS": "-1"}} {
		if _, err := loadConfig(env(bad)); err == nil {
			t.Errorf("loadConfig(%v) accepted", bad)
		}
	}
}

// TestMuxScenario: the mux scenario runs over the mux servers only, the
// Hello World scenarios over the others, and its ratios are to net/http's
// ServeMux (else the bridge in goroutine mode).
func TestMuxScenario(t *testing.T) {
	var all []serverDef
	for _, key := range serverKeys() {
		all = append(all, lookupServer(key))
	}
	mux, hello := lookupScenario("mux-json-c64"), lookupScenario("keepalive-c64")
	var muxKeys, helloKeys []string
	for _, s := range mux.serversOf(all) {
		muxKeys = append(muxKeys, s.key)
	}
	for _, s := range hello.serversOf(all) {
		helloKeys = append(helloKeys, s.key)
	}
	wantMux := []string{"bridge-goroutine", "bridge-inline", "nethttp-mux", "nbio-mux", "fasthttpadaptor", "native-mux"}
	if !slices.Equal(muxKeys, wantMux) || !slices.Equal(helloKeys, []string{"ours", "nethttp", "fasthttp", "gnet", "nbio", "evio"}) {
		t.Errorf("mux scenario runs %v, Hello World scenarios %v", muxKeys, helloKeys)
	}
	if mux.path() != "/hello/world" || hello.path() != "/" || mux.connections != 64 || mux.allCores {
		t.Errorf("mux scenario: path %q, %d connections, all cores %v", mux.path(), mux.connections, mux.allCores)
	}
	if n := runCount(all, []string{"mux-json-c64", "keepalive-c64"}); n != 12 {
		t.Errorf("runCount = %d, want 12", n)
	}
	if ref := muxReference(all); ref != "nethttp-mux" {
		t.Errorf("muxReference = %q", ref)
	}
	if ref := muxReference([]serverDef{lookupServer("ours"), lookupServer("native-mux"), lookupServer("bridge-goroutine")}); ref != "bridge-goroutine" {
		t.Errorf("muxReference without net/http = %q", ref)
	}
	inline := lookupServer("bridge-inline")
	if got := shellJoin(inline.command([]string{"taskset", "-c", "0"}, "127.0.0.1:9", false)); got != "taskset -c 0 bin/bridge -addr 127.0.0.1:9 -inline" {
		t.Errorf("bridge-inline command = %q", got)
	}
	if inline.want().Path != "/hello/world" || lookupServer("gnet").want().Path != "/" {
		t.Error("want: the mux servers at /hello/world, the others at /")
	}
}
