// Command nethttp is the net/http Hello World peer: one core
// (GOMAXPROCS=1), the standard library's server, a handler that answers every
// request with 200 and the body "Hello World".
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
	addr := peer.Setup("nethttp")
	body := []byte(peer.Body)
	contentType := []string{"text/plain"}
	contentLength := []string{"11"}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		w.Write(body)
	})
	srv := &http.Server{Addr: addr, Handler: handler}
	log.Fatal(srv.ListenAndServe())
}
