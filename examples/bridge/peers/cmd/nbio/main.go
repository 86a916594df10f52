// Command nbio serves the benchmark's ServeMux with nbio's nbhttp: one
// poller, handlers on its goroutine pool, all on one core.
package main

import (
	"log"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"asynchttpserver.dev/examples/bridge/peers/hello"
)

func main() {
	addr := hello.Setup("nbio")
	logging.SetLevel(logging.LevelError)
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{addr},
		NPoller: 1,
		Handler: hello.Mux(),
	})
	if err := engine.Start(); err != nil {
		log.Fatalf("start: %v", err)
	}
	select {}
}
