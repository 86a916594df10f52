package main

import (
	"debug/buildinfo"
	"path/filepath"
	"strings"

	"asynchttpserver.dev/bench/internal/verify"
)

// serverDef is a benchmarked server, ours or a peer.
type serverDef struct {
	key    string   // name in BENCH_SERVERS, file name in bin/ unless bin says otherwise
	bin    string   // file name in bin/ (bench/servers/<bin>) when not key
	args   []string // flags after -addr: the same binary in another configuration
	name   string   // display name
	module string   // module whose version is shown beside the name; "" for none
	own    bool     // built from this repository (the bridge and native peers): no version
	// mux: serves the net/http bridge's ServeMux (internal/mux: a JSON
	// hello at /hello/{name}) instead of Hello World. Such a server is
	// measured in the mux scenarios only, and the Hello World servers in
	// the others; bench-idle, whose client asks for Hello World, leaves it
	// out, and bench-cost gives it a table of its own.
	mux bool
	// idleOnly: measured by default only by the idle-memory mode (and
	// checked by the smoke run); bench and bench-cost take it when
	// BENCH_SERVERS names it.
	idleOnly bool
	// allCores are the flags that give the server every CPU (the all-cores
	// scenario): "-loops 0" for ours, "-cores 0" for the peers.
	allCores []string
}

// oursKey names the project's own server (../cmd/hello).
const oursKey = "ours"

// serverDefs lists every server in report order: ours first, then the peers
// in bench/servers/<key>.
var serverDefs = []serverDef{
	{key: oursKey, name: "asynchttpserver (ours)", allCores: []string{"-loops", "0"}},
	{key: "nethttp", name: "net/http", allCores: peerAllCores},
	{key: "fasthttp", name: "fasthttp", module: "github.com/valyala/fasthttp", allCores: peerAllCores},
	{key: "gnet", name: "gnet", module: "github.com/panjf2000/gnet/v2", allCores: peerAllCores},
	{key: "nbio", name: "nbio nbhttp", module: "github.com/lesismal/nbio", allCores: peerAllCores},
	{key: "evio", name: "evio", module: "github.com/tidwall/evio", allCores: peerAllCores, idleOnly: true},

	// The net/http bridge's scenario: the same ServeMux handler
	// (internal/mux) served by the bridge and by its peers.
	{key: "bridge-goroutine", bin: "bridge", name: "bridge, goroutine mode (ours)", own: true, mux: true, allCores: peerAllCores},
	{key: "bridge-inline", bin: "bridge", args: []string{"-inline"}, name: "bridge, inline (ours)", own: true, mux: true, allCores: peerAllCores},
	{key: "nethttp-mux", name: "net/http ServeMux", mux: true, allCores: peerAllCores},
	{key: "nbio-mux", name: "nbio nbhttp ServeMux", module: "github.com/lesismal/nbio", mux: true, allCores: peerAllCores},
	{key: "fasthttpadaptor", name: "fasthttp fasthttpadaptor", module: "github.com/valyala/fasthttp", mux: true, allCores: peerAllCores},
	{key: "native-mux", name: "native API, no net/http (ours, the ceiling)", own: true, mux: true, allCores: peerAllCores},
}

// muxReferenceKeys are the servers that the mux scenarios' ratios are
// relative to, the first one measured: net/http serving the same ServeMux,
// else the bridge in goroutine mode.
var muxReferenceKeys = []string{"nethttp-mux", "bridge-goroutine"}

// peerAllCores is the peers' flag for every CPU (internal/peer).
var peerAllCores = []string{"-cores", "0"}

func serverKeys() []string {
	keys := make([]string, len(serverDefs))
	for i, s := range serverDefs {
		keys[i] = s.key
	}
	return keys
}

func lookupServer(key string) serverDef {
	for _, s := range serverDefs {
		if s.key == key {
			return s
		}
	}
	panic("unknown server " + key) // keys are validated by loadConfig
}

// binary returns the path of the server's binary, relative to bench/.
func (s serverDef) binary() string {
	switch {
	case s.key == oursKey:
		return filepath.Join(binDir, "hello")
	case s.bin != "":
		return filepath.Join(binDir, s.bin)
	}
	return filepath.Join(binDir, s.key)
}

// want returns what the server must answer, and to which request target:
// Hello World at /, or the mux servers' JSON hello at /hello/world.
func (s serverDef) want() verify.Want {
	if s.mux {
		return verify.MuxJSON
	}
	return verify.Hello
}

// label returns the display name with the version the binary was built
// with: "gnet v2.9.7", "net/http (go1.26.8)".
func (s serverDef) label() string {
	info, err := buildinfo.ReadFile(s.binary())
	if err != nil || s.key == oursKey || s.own {
		return s.name
	}
	if s.module == "" {
		return s.name + " (" + info.GoVersion + ")"
	}
	for _, dep := range info.Deps {
		if dep.Path == s.module {
			return s.name + " " + dep.Version
		}
	}
	return s.name
}

// command returns the command line that starts the server on one core, or
// with every core when allCores is set.
func (s serverDef) command(prefix []string, addr string, allCores bool) []string {
	argv := append(append([]string{}, prefix...), s.binary(), "-addr", addr)
	argv = append(argv, s.args...)
	if allCores {
		argv = append(argv, s.allCores...)
	}
	return argv
}

// shellJoin joins a command line for display.
func shellJoin(argv []string) string {
	return strings.Join(argv, " ")
}
