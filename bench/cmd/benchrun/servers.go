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
}

// oursKey names the project's own server (../cmd/hello).
const oursKey = "ours"

// serverDefs lists every server in report order: ours first, then the peers
// in bench/servers/<key>.
var serverDefs = []serverDef{
	{oursKey, "asynchttpserver (ours)", ""},
	{"nethttp", "net/http", ""},
	{"fasthttp", "fasthttp", "github.com/valyala/fasthttp"},
	{"gnet", "gnet", "github.com/panjf2000/gnet/v2"},
	{"nbio", "nbio nbhttp", "github.com/lesismal/nbio"},
}

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

// command returns the command line that starts the server, for reports.
func (s serverDef) command(prefix []string, addr string) []string {
	argv := append([]string{}, prefix...)
	return append(argv, s.binary(), "-addr", addr)
}

// shellJoin joins a command line for display.
func shellJoin(argv []string) string {
	return strings.Join(argv, " ")
}
