// Command costclient is the deterministic client of the bench-cost target.
// It opens one keep-alive connection to a Hello World server and sends -n
// identical GET requests, one per write, reading each response in full (and
// checking it: status 200, body "Hello World") before sending the next.
//
// Every run of the same count sends the same bytes in the same order, so the
// server executes the same instructions; the harness runs it with two counts
// and takes the difference to cancel start-up and shutdown.
//
// Usage:
//
//	costclient -addr 127.0.0.1:PORT -n 20000
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

// request is the same for every run: the Host header does not name the port,
// which differs from run to run.
const request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: costclient\r\n\r\n"

func main() {
	log.SetPrefix("costclient: ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "server `address` (host:port)")
	n := flag.Int("n", 2000, "number of requests")
	timeout := flag.Duration("timeout", 5*time.Minute, "deadline for the whole run")
	flag.Parse()
	start := time.Now()
	if err := run(*addr, *n, *timeout); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "costclient: %d requests in %v\n", *n, time.Since(start).Round(time.Millisecond))
}

// run sends n requests on one connection to addr.
func run(addr string, n int, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	req := []byte(request)
	for i := range n {
		if _, err := conn.Write(req); err != nil {
			return fmt.Errorf("request %d: write: %w", i+1, err)
		}
		if err := readResponse(br); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
	}
	return nil
}

// readResponse reads one response in full and checks it.
func readResponse(br *bufio.Reader) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer resp.Body.Close()
	return verify.Response(resp)
}
