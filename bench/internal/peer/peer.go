// Package peer holds what every peer server in bench/servers shares (the
// Hello World peers and the net/http bridge's): the -addr flag (loopback
// only), the -cores flag (one core unless told otherwise) and a clean exit
// on SIGINT or SIGTERM.
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

// Config is what the command line says.
type Config struct {
	Addr  string // loopback address to listen on
	Cores int    // GOMAXPROCS, and the event loops or pollers of the peers that have them; ≥ 1
}

// Setup parses the command line, sets GOMAXPROCS, arranges for a clean exit
// on SIGINT and SIGTERM, and returns the configuration. It exits the program
// when the address is not a loopback address.
//
// -cores defaults to 1, the benchmark's one-core scenarios; -cores 0 means
// every CPU the process may run on (the all-cores scenario). The flag
// overrides a GOMAXPROCS environment variable, so that a peer is told how
// many cores it has in one place only.
func Setup(name string) Config {
	log.SetPrefix(name + ": ")
	log.SetFlags(0)
	addr := flag.String("addr", DefaultAddr, "loopback `address` to listen on (host:port)")
	cores := flag.Int("cores", 1, "`CPUs` to use: GOMAXPROCS and, where the server has them, event loops or pollers (0: every CPU)")
	flag.Parse()
	if err := checkLoopback(*addr); err != nil {
		log.Fatal(err)
	}
	n, err := coreCount(*cores, runtime.NumCPU())
	if err != nil {
		log.Fatal(err)
	}
	runtime.GOMAXPROCS(n)
	exitOnSignal()
	return Config{Addr: *addr, Cores: n}
}

// coreCount resolves -cores: 0 means every CPU (ncpu, which Go reads from
// the process's CPU affinity, so `taskset -c 0` makes it 1).
func coreCount(flagValue, ncpu int) (int, error) {
	switch {
	case flagValue < 0:
		return 0, fmt.Errorf("-cores %d: want 0 (every CPU) or more", flagValue)
	case flagValue == 0:
		return max(ncpu, 1), nil
	}
	return flagValue, nil
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
