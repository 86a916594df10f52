// Command nethttp-mux is net/http's peer in the bridge's scenario: the
// standard library's server serving the scenario's ServeMux
// (internal/mux), one core (GOMAXPROCS=1; -cores N for N, 0 for every
// CPU). net/http adds Content-Length and Date itself. The bridge's ratios
// are to this server.
package main

import (
	"log"
	"net/http"

	"asynchttpserver.dev/bench/internal/mux"
	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("nethttp-mux")
	srv := &http.Server{Addr: cfg.Addr, Handler: mux.Mux()}
	log.Fatal(srv.ListenAndServe())
}
