// Command idleclient is the client of the idle-memory measurement
// (benchrun -idle, make bench-idle): it opens -c keep-alive connections to a
// Hello World server, sends one GET on each and reads its response in full
// (checking it: 200, "Hello World"), then keeps every connection open and
// silent until its standard input ends. Meanwhile the harness reads the
// server's resident memory.
//
// It prints two JSON lines on standard output: once every connection has
// its response,
//
//	{"connections":15000,"sources":["127.0.0.1","127.0.0.2"],"seconds":1.9,"nofile":20000}
//
// and, once standard input has ended, how many connections the server kept:
//
//	{"open":15000,"closed":0,"unexpected":0}
//
// (closed: the server closed or reset it; unexpected: it sent bytes nobody
// asked for). Then it closes every connection and exits.
//
// One source address gives at most the local port range's ports (about
// 28,000) towards one server port, so the connections are spread round-robin
// over -sources loopback addresses, 127.0.0.1 upwards, each socket bound to
// its address before it connects (with IP_BIND_ADDRESS_NO_PORT, so that the
// port is chosen at connect time and only has to be unique per
// destination). The descriptor limit (RLIMIT_NOFILE) is raised to the hard
// limit; -c past what that allows is an error.
//
// Usage:
//
//	idleclient -addr 127.0.0.1:PORT -c 15000 [-sources N] < /some/pipe
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"time"
)

// ready is the first line of output.
type ready struct {
	Connections int      `json:"connections"`
	Sources     []string `json:"sources"`
	Seconds     float64  `json:"seconds"`
	NoFile      uint64   `json:"nofile"`
}

func main() {
	log.SetPrefix("idleclient: ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "server `address` (host:port, loopback)")
	c := flag.Int("c", 15000, "`connections` to open and keep")
	sources := flag.Int("sources", 0, "loopback source `addresses`, 127.0.0.1 upwards (0: one per 20,000 connections, at least 2)")
	workers := flag.Int("workers", 32, "connections opened at once")
	timeout := flag.Duration("timeout", 2*time.Minute, "deadline for opening every connection")
	flag.Parse()
	if err := run(*addr, *c, *sources, *workers, *timeout, os.Stdin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run opens the connections, reports, waits for stdin to end, reports what
// is still open, and closes everything.
func run(addr string, c, nsources, workers int, timeout time.Duration, stdin io.Reader, stdout io.Writer) error {
	server, err := netip.ParseAddrPort(addr)
	if err != nil || !server.Addr().IsLoopback() {
		return fmt.Errorf("-addr %q: want a loopback host:port", addr)
	}
	if c < 1 {
		return fmt.Errorf("-c %d: want at least 1", c)
	}
	nofile, err := raiseNoFile(uint64(c) + 64)
	if err != nil {
		return err
	}
	srcs, err := sourceAddrs(c, nsources)
	if err != nil {
		return err
	}
	start := time.Now()
	conns, err := openAll(server, srcs, c, workers, start.Add(timeout))
	defer closeAll(conns)
	if err != nil {
		return err
	}
	out := json.NewEncoder(stdout)
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.String()
	}
	if err := out.Encode(ready{Connections: len(conns), Sources: names, Seconds: time.Since(start).Seconds(), NoFile: nofile}); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, stdin); err != nil {
		return fmt.Errorf("standard input: %w", err)
	}
	return out.Encode(checkOpen(conns))
}
