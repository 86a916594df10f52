// Command hello is the seed's example: an HTTP server on port 8080 that
// answers every request with 200 OK and "Hello World".
//
//	hello [-addr host:port] [-loops N] [-trace] [-stats interval]
//
// -trace prints every loop iteration on standard error (how long the loop
// waited, what was ready, what ran, bytes in and out): a way to watch the
// event loop work. -stats prints each loop's running totals, queue depths
// and connections every interval. Both cost nothing while off.
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
	"time"

	"asynchttpserver.dev/server"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on, host:port (empty host: every interface)")
	loops := flag.Int("loops", 1, "event loops, each on its own OS thread (1: the seed's model; 0: one per CPU)")
	trace := flag.Bool("trace", false, "print every loop iteration on standard error")
	stats := flag.Duration("stats", 0, "print each loop's metrics every `interval` (e.g. 1s; 0: never)")
	flag.Parse()
	host, port, err := splitAddr(*addr)
	if err != nil {
		log.Fatalf("hello: %v", err)
	}

	srv := server.New(server.Loops(*loops))
	cb := func(req *server.Request) *server.Future {
		return req.Respond(200, "Hello World", nil) // Nim's Http200
	}
	if err := srv.Listen(port, host); err != nil {
		log.Fatalf("hello: %v", err)
	}
	if *trace {
		for i, l := range srv.Loops() {
			l.SetTracer(tracer(i))
		}
	}
	serving := srv.Serve(port, cb, host)
	if *stats > 0 {
		go printStats(srv, *stats)
	}

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

// tracer prints loop i's iterations, one line each.
func tracer(i int) func(server.LoopIteration) {
	var n uint64
	return func(it server.LoopIteration) {
		n++
		fmt.Fprintf(os.Stderr, "loop %d iter %d: waited %v, %d ready, %d timers, %d posted, %d callbacks, %d B in, %d B out\n",
			i, n, it.Wait.Round(time.Microsecond), it.Events, it.Timers, it.Posted, it.Callbacks, it.BytesRead, it.BytesSent)
	}
}

// printStats prints every loop's metrics each interval until the server
// has closed (the process ends then).
func printStats(srv *server.Server, every time.Duration) {
	last := make([]server.LoopMetrics, len(srv.Loops()))
	for range time.Tick(every) {
		conns := srv.Stats()
		for i, l := range srv.Loops() {
			m := l.Metrics()
			d := m.Iterations - last[i].Iterations
			perWait := 0.0
			if d > 0 {
				perWait = float64(m.Events-last[i].Events) / float64(d)
			}
			fmt.Fprintf(os.Stderr, "loop %d: %d iterations/%v, %.2f events/wait, %d requests, %d connections, soon queue %d, timers %d, %d B in, %d B out\n",
				i, d, every, perWait, conns[i].Requests, conns[i].Connections, m.SoonQueue, m.TimerHeap,
				m.BytesRead-last[i].BytesRead, m.BytesSent-last[i].BytesSent)
			last[i] = m
		}
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
