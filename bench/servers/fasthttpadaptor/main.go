// Command fasthttpadaptor is fasthttp's peer in the bridge's scenario: the
// scenario's ServeMux (internal/mux) served by fasthttp through its
// fasthttpadaptor, which converts each request to an *http.Request and
// collects the handler's response; one core (GOMAXPROCS=1; -cores N for N,
// 0 for every CPU), the default server settings.
package main

import (
	"log"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"asynchttpserver.dev/bench/internal/mux"
	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("fasthttpadaptor")
	srv := &fasthttp.Server{Handler: fasthttpadaptor.NewFastHTTPHandler(mux.Mux())}
	log.Fatal(srv.ListenAndServe(cfg.Addr))
}
