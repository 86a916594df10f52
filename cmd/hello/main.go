// Command hello is the seed's example: an HTTP server on port 8080 that
// answers every request with 200 OK and "Hello World".
//
//	hello [-addr host:port] [-loops N]
//
// It stops cleanly on SIGINT or SIGTERM (closing every connection), which
// lets profilers such as callgrind write their output.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"asynchttpserver.dev/server"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on, host:port (empty host: every interface)")
	loops := flag.Int("loops", 1, "event loops, each on its own OS thread (1: the seed's model; 0: one per CPU)")
	flag.Parse()
	host, port, err := splitAddr(*addr)
	if err != nil {
		log.Fatalf("hello: %v", err)
	}

	srv := server.New(server.Loops(*loops))
	cb := func(req *server.Request) *server.Future {
		return req.Respond(200, "Hello World", nil) // Nim's Http200
	}
	serving := srv.Serve(port, cb, host)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		srv.Close()
	}()
	if err := server.WaitFor(serving); err != nil {
		log.Fatalf("hello: %v", err)
	}
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("bad -addr %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port in -addr %q", addr)
	}
	return host, port, nil
}
