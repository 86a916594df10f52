// Command fasthttp is the github.com/valyala/fasthttp Hello World peer: one
// core (GOMAXPROCS=1; -cores N for N, 0 for every CPU), the default server
// settings, a handler that answers every request with 200 and the body
// "Hello World". fasthttp adds the Date, Server and Content-Type headers
// itself.
package main

import (
	"log"

	"github.com/valyala/fasthttp"

	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("fasthttp")
	body := []byte(peer.Body)
	handler := func(ctx *fasthttp.RequestCtx) {
		ctx.SetBody(body)
	}
	srv := &fasthttp.Server{Handler: handler}
	log.Fatal(srv.ListenAndServe(cfg.Addr))
}
