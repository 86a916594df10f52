package main

import (
	"debug/buildinfo"
	"path/filepath"
	"strings"
)

// serverDef is a benchmarked server, ours or a peer.
type serverDef struct {
	key    string // name in BENCH_SERVERS, file name in bin/
	name   string // display name
	module string // module whose version is shown beside the name; "" for none
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
}

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
	if s.key == oursKey {
		return filepath.Join(binDir, "hello")
	}
	return filepath.Join(binDir, s.key)
}

// label returns the display name with the version the binary was built
// with: "gnet v2.9.7", "net/http (go1.26.8)".
func (s serverDef) label() string {
	info, err := buildinfo.ReadFile(s.binary())
	if err != nil || s.key == oursKey {
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
	if allCores {
		argv = append(argv, s.allCores...)
	}
	return argv
}

// shellJoin joins a command line for display.
func shellJoin(argv []string) string {
	return strings.Join(argv, " ")
}
