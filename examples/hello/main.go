// Command hello is the seed's example as a user writes it in a module of
// their own: every request gets 200 and "Hello World".
package main

import (
	"flag"
	"log"
	"net/http"

	"asynchttpserver.dev/server"
)

func main() {
	port := flag.Int("port", 8080, "port to listen on")
	flag.Parse()
	srv := server.New()
	cb := func(req *server.Request) *server.Future {
		return req.Respond(http.StatusOK, "Hello World", nil)
	}
	if err := server.WaitFor(srv.Serve(*port, cb, "")); err != nil {
		log.Fatal(err)
	}
}
