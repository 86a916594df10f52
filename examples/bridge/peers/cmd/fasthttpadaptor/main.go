// Command fasthttpadaptor serves the benchmark's ServeMux with fasthttp,
// through its fasthttpadaptor (the http.Handler converted per request).
package main

import (
	"log"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"asynchttpserver.dev/examples/bridge/peers/hello"
)

func main() {
	addr := hello.Setup("fasthttpadaptor")
	srv := &fasthttp.Server{Handler: fasthttpadaptor.NewFastHTTPHandler(hello.Mux())}
	log.Fatal(srv.ListenAndServe(addr))
}
