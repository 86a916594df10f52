// Command bridge is the net/http bridge's peer: the bridge scenario's
// ServeMux (internal/mux) served by asynchttpserver through
// server.NewBridge, on one event loop with GOMAXPROCS=1 (-cores N: N loops
// and GOMAXPROCS=N; 0 for every CPU).
//
// By default the bridge runs in goroutine mode, each request's handler in a
// goroutine of its own as under net/http; with -inline, server.Inline():
// the handler runs on the loop, with no hand-over. The server streams
// request bodies as the bridge asks (server.StreamBodies(b.StreamBody)), as
// the bridge's documentation sets it up.
package main

import (
	"flag"
	"log"
	"net"
	"strconv"

	"asynchttpserver.dev/bench/internal/mux"
	"asynchttpserver.dev/bench/internal/peer"
	"asynchttpserver.dev/server"
)

func main() {
	inline := flag.Bool("inline", false, "run the handler on the loop (server.Inline) instead of in a goroutine")
	cfg := peer.Setup("bridge")
	var opts []server.BridgeOption
	if *inline {
		opts = append(opts, server.Inline())
	}
	b := server.NewBridge(mux.Mux(), opts...)
	host, port, err := splitAddr(cfg.Addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := server.New(server.Loops(cfg.Cores), server.StreamBodies(b.StreamBody))
	log.Fatal(server.WaitFor(srv.Serve(port, b.Serve, host)))
}

// splitAddr splits host:port for server.Serve.
func splitAddr(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	return host, p, err
}
