// Command nbio is the github.com/lesismal/nbio Hello World peer: nbhttp with
// one poller and GOMAXPROCS=1, serving an http.Handler that answers every
// request with 200 and the body "Hello World".
//
// nbhttp reads on its poller and runs handlers on its own goroutine pool (in
// order per connection); with GOMAXPROCS=1 all of it shares one core.
package main

import (
	"log"
	"net/http"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	addr := peer.Setup("nbio")
	logging.SetLevel(logging.LevelError)
	body := []byte(peer.Body)
	contentType := []string{"text/plain"}
	contentLength := []string{"11"}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		w.Write(body)
	})
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{addr},
		NPoller: 1,
		Handler: handler,
	})
	if err := engine.Start(); err != nil {
		log.Fatalf("start: %v", err)
	}
	select {} // peer.Setup exits the process on SIGINT or SIGTERM.
}
