// Command costclient is the deterministic client of the bench-cost target.
// It opens -c keep-alive connections (default 1) to a server and sends -n
// identical GET requests for -path in all, one per write, round-robin over
// the connections, reading each response in full (and checking it) before
// sending the next: one request in flight at a time, whatever the number of
// connections. The check depends on the path: at / (the default), status
// 200 and the body "Hello World"; at /hello/world (the net/http bridge's
// mux servers), status 200, the body {"hello":"world"} and a newline, and
// Content-Type application/json. Other paths are refused.
//
// Every run of the same count sends the same bytes in the same order, so the
// server executes the same instructions; the harness runs it with two counts
// and takes the difference to cancel start-up and shutdown.
//
// With -pid, the server's process id, and -c N, the connections are placed
// one per event loop of a server that runs N: the client reads from /proc
// which loop's epoll watches which connection (the kernel's SO_REUSEPORT
// hash decides, not the client), closes a connection that landed on a loop
// that has one already, and dials again until every loop has exactly one.
//
// Usage:
//
//	costclient -addr 127.0.0.1:PORT -n 20000
//	costclient -addr 127.0.0.1:PORT -n 20000 -c 2 -pid PID
//	costclient -addr 127.0.0.1:PORT -n 20000 -path /hello/world
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"asynchttpserver.dev/bench/internal/verify"
)

// request returns the request for path, the same in every run: the Host
// header does not name the port, which differs from run to run.
func request(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: costclient\r\n\r\n"
}

func main() {
	log.SetPrefix("costclient: ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "server `address` (host:port)")
	n := flag.Int("n", 2000, "number of requests, over all connections")
	c := flag.Int("c", 1, "keep-alive `connections`, used round-robin")
	pid := flag.Int("pid", 0, "the server's process `id`: place the connections one per event loop (Linux /proc)")
	timeout := flag.Duration("timeout", 5*time.Minute, "deadline for the whole run")
	path := flag.String("path", "/", "request `target`: / (Hello World) or /hello/world (the JSON hello of the mux servers)")
	flag.Parse()
	if *c < 1 || *n < 0 {
		log.Fatal("-c must be ≥ 1 and -n ≥ 0")
	}
	want, ok := verify.ForPath(*path)
	if !ok {
		log.Fatalf("-path %q: want / or %s", *path, verify.MuxJSON.Path)
	}
	start := time.Now()
	deadline := start.Add(*timeout)
	conns, dials, err := open(*addr, *c, *pid, deadline)
	if err != nil {
		log.Fatal(err)
	}
	if err := run(conns, *n, want, deadline); err != nil {
		log.Fatal(err)
	}
	placed := ""
	if *pid > 0 {
		placed = fmt.Sprintf(", one per loop after %d dials", dials)
	}
	fmt.Fprintf(os.Stderr, "costclient: %d requests on %d connection(s)%s in %v\n", *n, *c, placed, time.Since(start).Round(time.Millisecond))
}

// open dials c connections to addr; with pid > 0, placed one per loop.
// It returns them and how many dials it took.
func open(addr string, c, pid int, deadline time.Time) ([]net.Conn, int, error) {
	if pid > 0 {
		return place(addr, c, pid, deadline)
	}
	conns := make([]net.Conn, 0, c)
	for range c {
		conn, err := dial(addr, deadline)
		if err != nil {
			closeAll(conns)
			return nil, c, err
		}
		conns = append(conns, conn)
	}
	return conns, c, nil
}

func dial(addr string, deadline time.Time) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// run sends n requests for want.Path round-robin over conns, one at a
// time, and checks every response against want.
func run(conns []net.Conn, n int, want verify.Want, deadline time.Time) error {
	defer closeAll(conns)
	readers := make([]*bufio.Reader, len(conns))
	for i, c := range conns {
		readers[i] = bufio.NewReader(c)
	}
	req := []byte(request(want.Path))
	for i := range n {
		k := i % len(conns)
		if _, err := conns[k].Write(req); err != nil {
			return fmt.Errorf("request %d: write: %w", i+1, err)
		}
		if err := readResponse(readers[k], want); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
	}
	return nil
}

// readResponse reads one response in full and checks it against want.
func readResponse(br *bufio.Reader, want verify.Want) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer resp.Body.Close()
	return want.Response(resp)
}
