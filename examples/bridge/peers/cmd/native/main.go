// Command native answers the benchmark's request with the server's own
// API, no net/http at all: the same JSON for GET /hello/{name}, routed by
// hand. It is the ceiling the bridge is measured against.
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"

	"asynchttpserver.dev/examples/bridge/peers/hello"
	"asynchttpserver.dev/server"
)

var jsonType = server.NewHeaders("Content-Type", "application/json")

func main() {
	addr := hello.Setup("native")
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	cb := func(req *server.Request) *server.Future {
		name, ok := strings.CutPrefix(req.URL.Path, "/hello/")
		if !ok || name == "" || strings.Contains(name, "/") || req.Method != server.MethodGet {
			return req.Respond(http.StatusNotFound, "404 page not found\n", nil)
		}
		b, _ := json.Marshal(struct {
			Hello string `json:"hello"`
		}{name})
		return req.Respond(http.StatusOK, string(b)+"\n", jsonType)
	}
	log.Fatal(server.WaitFor(server.New().Serve(p, cb, host)))
}
