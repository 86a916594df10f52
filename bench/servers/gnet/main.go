// Command gnet is the github.com/panjf2000/gnet/v2 Hello World peer, written
// like gnet's TechEmpower plaintext entry: no HTTP parser. It looks only for
// the end of each request head ("\r\n\r\n") and answers every head with the
// same fixed response (peer.Fixed), so pipelined requests are answered in
// one write per read.
//
// Two additions keep it honest on the benchmark's scenarios: the response
// carries a Date header, rebuilt when the second changes, and a request head
// carrying "Connection: close" gets a response saying so, after which the
// connection is closed; without that, the churn scenario would silently
// keep connections alive. Request bodies are not supported: every scenario
// sends GET requests.
//
// With -cores 1 (the default) it runs one event loop; with -cores N (0: one
// per CPU), gnet's multicore mode with N loops, gnet's other settings left
// at their defaults.
package main

import (
	"log"
	"sync"

	"github.com/panjf2000/gnet/v2"

	"asynchttpserver.dev/bench/internal/peer"
)

// server is the gnet event handler; gnet calls it from its event loops.
type server struct {
	gnet.BuiltinEventEngine
	fixed *peer.Fixed
	loops int
	out   []byte    // the one loop's responses of one read, reused (loops == 1)
	outs  sync.Pool // the same per read when several loops share the handler
}

// OnTraffic answers every complete request head in the inbound buffer and
// leaves an incomplete one there for the next read.
func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	var out *[]byte
	if s.loops == 1 {
		out = &s.out
	} else {
		out = s.outs.Get().(*[]byte)
		defer s.outs.Put(out)
	}
	o, consumed, closeAfter := s.fixed.Answer((*out)[:0], buf)
	*out = o
	c.Discard(consumed)
	if len(o) > 0 {
		c.Write(o) // copies whatever the socket does not take at once
	}
	if closeAfter {
		return gnet.Close // gnet flushes pending output before closing
	}
	return gnet.None
}

func main() {
	cfg := peer.Setup("gnet")
	s := &server{fixed: peer.NewFixed("gnet"), loops: cfg.Cores}
	s.outs.New = func() any { return new([]byte) }
	log.Fatal(gnet.Run(s, "tcp4://"+cfg.Addr,
		gnet.WithMulticore(cfg.Cores > 1),
		gnet.WithNumEventLoop(cfg.Cores),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
	))
}
