// Command stallserver is a Hello World server that stalls: once every
// -every (1s), for -stall (100ms), every response waits until the stall
// is over, as a server does in a long garbage-collector pause or behind
// a lock held too long. It is the test bed for coordinated omission: a
// closed-loop load generator (wrk) stops sending during the stall and
// reports a few slow requests; an open-loop one (httpbench -rate, vegeta)
// keeps its schedule, and about -stall/-every of its requests show the
// wait.
//
// Usage:
//
//	stallserver [-addr 127.0.0.1:8080] [-every 1s] [-stall 100ms]
//
// It listens on loopback only and exits 0 on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log.SetPrefix("stallserver: ")
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "loopback `address` to listen on")
	every := flag.Duration("every", time.Second, "how often the server stalls")
	stall := flag.Duration("stall", 100*time.Millisecond, "how long each stall lasts")
	flag.Parse()
	if *every <= 0 || *stall < 0 || *stall >= *every {
		log.Fatal("want -every > 0 and 0 ≤ -stall < -every")
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Fatalf("-addr %q: a loopback address, please", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: newHandler(time.Now(), *every, *stall)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// handler answers Hello World, after the current stall if there is one.
type handler struct {
	start        time.Time
	every, stall time.Duration
}

func newHandler(start time.Time, every, stall time.Duration) *handler {
	return &handler{start: start, every: every, stall: stall}
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := stallLeft(time.Since(h.start), h.every, h.stall); d > 0 {
		time.Sleep(d)
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", "11")
	io.WriteString(w, "Hello World")
}

// stallLeft returns how long a response at elapsed (since the start)
// must wait: stalls run from every k·every for stall.
func stallLeft(elapsed, every, stall time.Duration) time.Duration {
	if phase := elapsed % every; phase < stall {
		return stall - phase
	}
	return 0
}
