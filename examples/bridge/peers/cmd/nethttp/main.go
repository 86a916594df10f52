// Command nethttp serves the benchmark's ServeMux with net/http.
package main

import (
	"log"
	"net/http"

	"asynchttpserver.dev/examples/bridge/peers/hello"
)

func main() {
	addr := hello.Setup("nethttp")
	log.Fatal(http.ListenAndServe(addr, hello.Mux()))
}
