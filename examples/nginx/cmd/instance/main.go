// Command instance is one instance of the nginx example: run two or more,
// each with its own -id and -addr, and nginx (../../nginx.conf) in front.
//
//	instance [-id a] [-addr 127.0.0.1:8081] [-loops N]
//
// It prints "instance ID listening on HOST:PORT" once it listens (port 0
// picks a free port), and stops cleanly on SIGINT or SIGTERM: it stops
// accepting at once, so that nginx routes new requests to the other
// instances, and lets the requests in flight finish.
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

	"asynchttpserver.dev/examples/nginx"
	"asynchttpserver.dev/server"
)

func main() {
	id := flag.String("id", "a", "the instance's name, in every response's X-Instance header")
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on, host:port (port 0: a free port)")
	loops := flag.Int("loops", 1, "event loops, each on its own OS thread (0: one per CPU)")
	flag.Parse()
	host, p, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("instance: bad -addr %q: %v", *addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		log.Fatalf("instance: bad port in -addr %q", *addr)
	}

	srv := server.New(append(nginx.Options(), server.Loops(*loops))...)
	if err := srv.Listen(port, host); err != nil {
		log.Fatalf("instance: %v", err)
	}
	fmt.Printf("instance %s listening on %s\n", *id, net.JoinHostPort(host, strconv.Itoa(srv.Port())))
	serving := srv.Serve(0, nginx.New(*id).Serve, "")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		srv.Close()
	}()
	if err := server.WaitFor(serving); err != nil {
		log.Fatalf("instance: %v", err)
	}
}
