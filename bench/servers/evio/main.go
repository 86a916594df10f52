// Command evio is the github.com/tidwall/evio Hello World peer, written like
// the gnet peer: no HTTP parser, the same fixed response (peer.Fixed) for
// every request head, pipelined requests answered in one write per read,
// a Date header, and "Connection: close" honoured. Request bodies are not
// supported: every scenario sends GET requests.
//
// It reads into evio's one buffer per loop (ReuseInputBuffer: no copy per
// read) and keeps nothing per connection unless a read ends in the middle
// of a request head; then that tail, and only that, is kept in the
// connection's context until the rest arrives. evio itself keeps each
// connection's output buffer (up to 4 KiB) for reuse.
//
// With -cores 1 (the default) it runs one loop; with -cores N (0: one per
// CPU), N loops sharing one listener, evio's default balancing (random).
package main

import (
	"log"

	"github.com/tidwall/evio"

	"asynchttpserver.dev/bench/internal/peer"
)

// handler holds the responses; evio calls it from its loops.
type handler struct {
	fixed *peer.Fixed
	out   []byte // the one loop's responses, reused: evio copies them before the next read (one loop only)
	loops int
}

// data answers every complete request head: the tail kept from the last
// read first, if any, then this read.
func (h *handler) data(c evio.Conn, in []byte) ([]byte, evio.Action) {
	if tail, ok := c.Context().([]byte); ok {
		in = append(tail, in...)
		c.SetContext(nil)
	}
	var buf []byte // several loops: a new buffer per read, as nothing tells them apart
	if h.loops == 1 {
		buf = h.out[:0]
	}
	out, consumed, closeAfter := h.fixed.Answer(buf, in)
	if h.loops == 1 {
		h.out = out
	}
	if closeAfter {
		return out, evio.Close // evio writes out before it closes
	}
	if consumed < len(in) {
		// in may be the loop's shared buffer: keep a copy of the tail.
		c.SetContext(append([]byte(nil), in[consumed:]...))
	}
	return out, evio.None
}

func main() {
	cfg := peer.Setup("evio")
	h := &handler{fixed: peer.NewFixed("evio"), loops: cfg.Cores}
	var events evio.Events
	events.NumLoops = cfg.Cores
	events.Opened = func(evio.Conn) ([]byte, evio.Options, evio.Action) {
		return nil, evio.Options{ReuseInputBuffer: true}, evio.None
	}
	events.Data = h.data
	log.Fatal(evio.Serve(events, "tcp4://"+cfg.Addr))
}
