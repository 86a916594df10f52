package main

import (
	"time"

	"asynchttpserver.dev/bench/internal/loadgen"
	"asynchttpserver.dev/bench/internal/report"
	"asynchttpserver.dev/bench/internal/verify"
)

// scenarioDef is a load pattern.
type scenarioDef struct {
	key         string
	title       string
	description string
	connections int
	pipeline    int
	close       bool
	allCores    bool // every server with every CPU, nothing pinned, the load generator with a thread per CPU
	// mux: the net/http bridge's scenario, run over the mux servers only
	// (serverDef.mux), requesting their route; the Hello World scenarios
	// run over the others.
	mux bool
}

// muxGroup heads the mux scenarios' own summary grid in the report.
const muxGroup = "net/http handlers: the bridge beside its peers"

// scenarioDefs lists every scenario in report order.
var scenarioDefs = []scenarioDef{
	{
		key: "keepalive-c64", title: "keep-alive, 64 connections", connections: 64, pipeline: 1,
		description: "64 keep-alive connections, one request in flight on each: the cost of reading, " +
			"parsing and answering a request, with a read and a write system call per request.",
	},
	{
		key: "pipeline16-c64", title: "pipelined ×16, 64 connections", connections: 64, pipeline: 16,
		description: "64 connections, 16 requests written at once on each: whether a server answers a " +
			"batch with one read and one write. wrk's latency percentiles are not valid under pipelining, so p99 reads n/a with wrk.",
	},
	{
		key: "keepalive-c512", title: "keep-alive, 512 connections", connections: 512, pipeline: 1,
		description: "512 keep-alive connections, one request in flight on each: the same work spread " +
			"over many sockets (readiness bookkeeping, per-connection memory: see peak RSS).",
	},
	{
		key: "churn-c64", title: "churn (Connection: close), 64 clients", connections: 64, pipeline: 1, close: true,
		description: "64 clients, each request on a new connection with `Connection: close`: accept, " +
			"set-up and teardown per request. Much of the cost is the kernel's and the client's connect; compare per server core.",
	},
	{
		key: "allcores-c256", title: "all cores, keep-alive, 256 connections", connections: 256, pipeline: 1, allCores: true,
		description: "Every server with every CPU of the machine: ours with one loop per CPU (`-loops 0`), gnet in multicore " +
			"mode with a loop per CPU, nbio with a poller per CPU, fasthttp and net/http with GOMAXPROCS = CPUs (the peers' " +
			"`-cores 0`). Nothing is pinned, and the load generator runs a thread (event loop) per CPU on the same " +
			"machine, so server and generator compete for the cores: compare the server's CPU time per request first.",
	},
	{
		key: "mux-json-c64", title: "net/http handler (ServeMux, JSON), keep-alive, 64 connections", connections: 64, pipeline: 1, mux: true,
		description: "The net/http bridge beside its peers: every server serves the same `http.ServeMux` handler, " +
			"`GET /hello/{name}` answering `{\"hello\":\"<name>\"}` as `application/json` (bench/internal/mux), " +
			"and 64 keep-alive connections request `/hello/world`, one request in flight on each. Each server is checked first " +
			"(200, the body `{\"hello\":\"world\"}` and a newline, Content-Type application/json; plain, pipelined ×16, Connection: close). " +
			"The bridge runs in goroutine mode (a goroutine per request, as net/http) and inline (`server.Inline()`, the handler on the loop); " +
			"net/http, nbio's nbhttp and fasthttp's fasthttpadaptor serve the same ServeMux; native answers the same bytes through " +
			"asynchttpserver's own API without net/http, the ceiling. Ratios are to net/http.",
	},
}

func scenarioKeys() []string {
	keys := make([]string, len(scenarioDefs))
	for i, s := range scenarioDefs {
		keys[i] = s.key
	}
	return keys
}

func lookupScenario(key string) scenarioDef {
	for _, s := range scenarioDefs {
		if s.key == key {
			return s
		}
	}
	panic("unknown scenario " + key) // keys are validated by loadConfig
}

// path returns the request target of the scenario.
func (s scenarioDef) path() string {
	if s.mux {
		return verify.MuxJSON.Path
	}
	return verify.Hello.Path
}

// runs reports whether the scenario measures server sv: the mux scenarios
// the mux servers, the others the Hello World servers.
func (s scenarioDef) runs(sv serverDef) bool { return s.mux == sv.mux }

// serversOf returns the servers of servers that the scenario measures, in
// their order.
func (s scenarioDef) serversOf(servers []serverDef) []serverDef {
	var out []serverDef
	for _, sv := range servers {
		if s.runs(sv) {
			out = append(out, sv)
		}
	}
	return out
}

// spec returns the load for this scenario against url.
func (s scenarioDef) spec(url string, d time.Duration) loadgen.Spec {
	spec := loadgen.Spec{URL: url, Connections: s.connections, Duration: d, Pipeline: s.pipeline, Close: s.close}
	if s.allCores {
		spec.Threads = nproc()
	}
	return spec
}

// reportScenario describes the scenario for the report, with the load
// generator's exact command line (the port varies from run to run).
func (s scenarioDef) reportScenario(gen loadgen.Generator, d time.Duration) report.Scenario {
	cmd := ""
	if argv := gen.Command(s.spec("http://127.0.0.1:PORT"+s.path(), d)); argv != nil {
		cmd = shellJoin(argv)
	}
	sc := report.Scenario{Key: s.key, Title: s.title, Description: s.description, Command: cmd}
	if s.mux {
		sc.Group = muxGroup
	}
	return sc
}
