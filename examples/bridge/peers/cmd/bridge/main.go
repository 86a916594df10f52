// Command bridge serves the benchmark's ServeMux through the bridge, in
// goroutine mode, or inline with -inline.
package main

import (
	"flag"
	"log"
	"net"
	"strconv"

	"asynchttpserver.dev/examples/bridge/peers/hello"
	"asynchttpserver.dev/server"
)

func main() {
	inline := flag.Bool("inline", false, "run the handler on the loop")
	addr := hello.Setup("bridge")
	var opts []server.BridgeOption
	if *inline {
		opts = append(opts, server.Inline())
	}
	b := server.NewBridge(hello.Mux(), opts...)
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	srv := server.New(server.StreamBodies(b.StreamBody))
	log.Fatal(server.WaitFor(srv.Serve(p, b.Serve, host)))
}
