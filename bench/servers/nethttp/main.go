// Command nethttp is the net/http Hello World peer: one core (GOMAXPROCS=1;
// -cores N for N, 0 for every CPU), the standard library's server, a
// handler that answers every request with 200 and the body "Hello World".
//
// Content-Type and Content-Length are set explicitly so that the server does
// not sniff the body on every request; net/http adds the Date header itself.
package main

import (
	"log"
	"net/http"

	"asynchttpserver.dev/bench/internal/peer"
)

func main() {
	cfg := peer.Setup("nethttp")
	handler := peer.HelloHandler()
	srv := &http.Server{Addr: cfg.Addr, Handler: handler}
	log.Fatal(srv.ListenAndServe())
}
