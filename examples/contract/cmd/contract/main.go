// Command contract serves the contract example application on -port.
package main

import (
	"flag"
	"log"

	"asynchttpserver.dev/examples/contract"
	"asynchttpserver.dev/server"
)

func main() {
	port := flag.Int("port", 8080, "port to listen on")
	flag.Parse()
	app := contract.New()
	srv := server.New(contract.Options()...)
	if err := server.WaitFor(srv.Serve(*port, app.Serve, "127.0.0.1")); err != nil {
		log.Fatal(err)
	}
}
