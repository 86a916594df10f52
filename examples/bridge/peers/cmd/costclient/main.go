// Command costclient is the deterministic client of the bridge's cost
// measurement: one keep-alive connection, -n identical requests for
// /hello/world, one per write, each response read in full and checked
// (200, {"hello":"world"}) before the next is sent. Run under two counts,
// the difference of the server's instruction totals cancels start-up and
// shutdown: marginal = (I(20000) - I(2000)) / 18000.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

const request = "GET /hello/world HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: costclient\r\n\r\n"

func main() {
	log.SetPrefix("costclient: ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "server `address`")
	n := flag.Int("n", 2000, "requests")
	flag.Parse()
	conn, err := net.DialTimeout("tcp", *addr, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Minute))
	br := bufio.NewReader(conn)
	for i := range *n {
		if _, err := io.WriteString(conn, request); err != nil {
			log.Fatalf("request %d: %v", i+1, err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			log.Fatalf("request %d: %v", i+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"hello":"world"}` {
			log.Fatalf("request %d: %d %q %v", i+1, resp.StatusCode, body, err)
		}
	}
	fmt.Printf("%d requests\n", *n)
}
