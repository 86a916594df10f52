// Command bridge serves the example application (a chi router, a JSON
// API, server-sent events, WebSocket echoes) on the reactor through the
// bridge, in goroutine mode: its handlers block (WebSocket reads, request
// bodies), as net/http handlers do.
//
//	go run ./bridge/cmd/bridge -addr 127.0.0.1:8080
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"asynchttpserver.dev/examples/bridge"
	"asynchttpserver.dev/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to listen on")
	flag.Parse()
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		log.Fatal(err)
	}
	b := server.NewBridge(bridge.App())
	srv := server.New(server.StreamBodies(b.StreamBody))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		srv.Close()
	}()
	if err := server.WaitFor(srv.Serve(p, b.Serve, host)); err != nil {
		log.Fatal(err)
	}
}
