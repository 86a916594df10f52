// Command nbio-mux is nbio's peer in the bridge's scenario: nbhttp serving
// the scenario's ServeMux (internal/mux) with one poller and GOMAXPROCS=1
// (-cores N: N pollers and GOMAXPROCS=N; 0 for every CPU). nbhttp reads on
// its poller and runs handlers on its goroutine pool, all on the same core.
package main

import (
	"log"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"asynchttpserver.dev/bench/internal/mux"
	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("nbio-mux")
	logging.SetLevel(logging.LevelError)
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{cfg.Addr},
		NPoller: cfg.Cores,
		Handler: mux.Mux(),
	})
	if err := engine.Start(); err != nil {
		log.Fatalf("start: %v", err)
	}
	select {} // peer.Setup exits the process on SIGINT or SIGTERM.
}
