// Command native-mux answers the bridge scenario's request with
// asynchttpserver's own API, no net/http at all: GET /hello/{name} routed by
// hand, the same JSON (json.Marshal of mux.Hello, and the newline
// json.Encoder adds) with Content-Type application/json, and 404 for any
// other path. One event loop and GOMAXPROCS=1 (-cores N: N loops and
// GOMAXPROCS=N; 0 for every CPU). It is the ceiling the bridge is measured
// against: the same work without the net/http interface.
package main

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"

	"asynchttpserver.dev/bench/internal/mux"
	"asynchttpserver.dev/bench/internal/peer"
	"asynchttpserver.dev/server"
)

var jsonType = server.NewHeaders("Content-Type", mux.ContentType)

// serve is the callback: the route of mux.Pattern, by hand.
func serve(req *server.Request) *server.Future {
	name, ok := strings.CutPrefix(req.URL.Path, "/hello/")
	if !ok || name == "" || strings.Contains(name, "/") || req.Method != server.MethodGet {
		return req.Respond(http.StatusNotFound, "404 page not found\n", nil)
	}
	b, err := json.Marshal(mux.Hello{Hello: name})
	if err != nil {
		return req.Respond(http.StatusInternalServerError, err.Error(), nil)
	}
	return req.Respond(http.StatusOK, string(b)+"\n", jsonType)
}

func main() {
	cfg := peer.Setup("native-mux")
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		log.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		log.Fatal(err)
	}
	srv := server.New(server.Loops(cfg.Cores))
	log.Fatal(server.WaitFor(srv.Serve(p, serve, host)))
}
