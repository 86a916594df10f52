// Package peer holds what every Hello World peer server in bench/servers
// shares: the -addr flag (loopback only), the one-core setting and a clean
// exit on SIGINT or SIGTERM.
//
// A peer must exit with status 0 when signalled, because the bench-cost
// target runs it under valgrind --tool=callgrind, which writes its counts only
// when the program exits.
package peer

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// Body is the response body every peer sends.
const Body = "Hello World"

// DefaultAddr is the address a peer listens on when -addr is not given.
const DefaultAddr = "127.0.0.1:8080"

// Setup limits the process to one core, parses the command line, arranges
// for a clean exit on SIGINT and SIGTERM, and returns the address to listen
// on. It exits the program when the address is not a loopback address.
func Setup(name string) string {
	runtime.GOMAXPROCS(1)
	log.SetPrefix(name + ": ")
	log.SetFlags(0)
	addr := flag.String("addr", DefaultAddr, "loopback `address` to listen on (host:port)")
	flag.Parse()
	if err := checkLoopback(*addr); err != nil {
		log.Fatal(err)
	}
	exitOnSignal()
	return *addr
}

// checkLoopback reports an error unless addr names a loopback IP address:
// the benchmark sends traffic to this machine only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: host must be a loopback IP address such as 127.0.0.1", addr)
	}
	return nil
}

// exitOnSignal ends the process with status 0 on SIGINT or SIGTERM. There is
// nothing to flush in a Hello World server, so it does not wait for
// connections to drain.
func exitOnSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		os.Exit(0)
	}()
}
