// Command nbio is the github.com/lesismal/nbio Hello World peer: nbhttp with
// one poller and GOMAXPROCS=1 (-cores N: N pollers and GOMAXPROCS=N; 0 for
// every CPU), serving an http.Handler that answers every
// request with 200 and the body "Hello World".
//
// nbhttp reads on its poller and runs handlers on its own goroutine pool (in
// order per connection); with one core all of it shares that core.
package main

import (
	"log"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("nbio")
	logging.SetLevel(logging.LevelError)
	handler := peer.HelloHandler()
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{cfg.Addr},
		NPoller: cfg.Cores,
		Handler: handler,
	})
	if err := engine.Start(); err != nil {
		log.Fatalf("start: %v", err)
	}
	select {} // peer.Setup exits the process on SIGINT or SIGTERM.
}
