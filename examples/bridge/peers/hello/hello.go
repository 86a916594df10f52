// Package hello is the handler every peer of the bridge's benchmark serves:
// one net/http ServeMux with a Go 1.22 pattern, GET /hello/{name}, answering
// {"hello":"<name>"} as JSON, and the one-core, loopback-only, exit-on-signal
// setting they share.
package hello

import (
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// Mux returns the ServeMux of the benchmark.
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Hello string `json:"hello"`
		}{r.PathValue("name")})
	})
	return mux
}

// Setup limits the process to one core, parses the flags, ends the process
// with status 0 on SIGINT or SIGTERM (callgrind writes its counts at exit)
// and returns the loopback address to listen on.
func Setup(name string) string {
	runtime.GOMAXPROCS(1)
	log.SetPrefix(name + ": ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "loopback `address` to listen on")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Fatalf("-addr %q: want a loopback host:port", *addr)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		os.Exit(0)
	}()
	return *addr
}
