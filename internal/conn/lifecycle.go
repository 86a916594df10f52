package conn

import (
	"errors"
	"io"
	"net/netip"

	"asynchttpserver.dev/internal/poller"
)

// closeMode says how a connection that is done ends once its output is out.
type closeMode uint8

const (
	closeNone closeMode = iota
	// closeNow closes as soon as the output is written: the client asked
	// for it (Connection: close), or the response ends with the connection.
	closeNow
	// closeLinger shuts the write side, then discards input until the peer
	// closes or LingerTimeout passes. Used after error responses sent while
	// the client may still be sending: closing with unread input makes the
	// kernel send a reset, which can destroy the response in flight.
	closeLinger
)

// closeAfterOutput stops reading requests and closes the connection once
// every queued response is written.
func (c *Conn) closeAfterOutput(mode closeMode) {
	c.stop()
	if mode > c.closing {
		c.closing = mode
	}
}

// finishClose ends a connection whose last response is written.
func (c *Conn) finishClose() {
	if c.closing != closeLinger || c.eof {
		c.close()
		return
	}
	c.input = inLinger
	if err := c.s.CloseWrite(); err != nil {
		c.close()
		return
	}
	c.lingerEnd = c.g.loop.Nanotime() + int64(c.g.cfg.LingerTimeout)
	c.updateReading()
	c.updateTimer()
}

// discardInput reads and drops what a lingering peer still sends.
func (c *Conn) discardInput() {
	scratch := c.g.scratch()
	for i := 0; i < 4; i++ { // bounded: a firehose must not hold the loop
		_, err := c.s.Read(scratch)
		if err == poller.ErrWouldBlock {
			return
		}
		if err != nil { // EOF or reset: the peer is done
			c.close()
			return
		}
	}
}

// peerEOF handles the end of the client's input. Requests already read are
// still answered (a client may shut its write side after sending a full
// request); a request cut short can never complete.
func (c *Conn) peerEOF() {
	c.eof = true
	if c.input == inLinger {
		c.close()
		return
	}
	c.clientGone()
	if c.input == inStream {
		c.dropBody(c.cur, io.ErrUnexpectedEOF) // dispatched: it stays in the queue
	}
	c.closeAfterOutput(closeNow)
	c.endBatch()
}

// close releases everything the connection holds, the socket included.
// Requests whose responses are not out are marked aborted: their
// handlers' Respond fails with ErrClosed.
func (c *Conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.timer.Stop()
	c.busy() // (an idle connection has nothing below to release, but the code is simpler)
	for c.queue.n > 0 {
		x := c.queue.pop()
		x.setPhase(xAborted)
		if x.in.streamed {
			c.dropBody(x, ErrClosed)
		}
		c.notify(x, true)
		if f := x.stream.headFut; f != nil && !f.Finished() {
			f.Fail(ErrClosed)
		}
		if f := x.stream.earlyFut; f != nil && !f.Finished() {
			f.Fail(ErrClosed)
		}
	}
	c.cur = nil
	c.g.arena.give(c.in)
	c.in, c.start = nil, 0
	w := c.work
	c.work = nil
	c.g.putWork(w)
	c.s.Close()
	c.g.remove(c)
}

// prepareUpgrade gets an upgrade request's connection ready to be taken
// over before its handler runs: reading stops, the socket returns to
// future mode (so the handler can Recv on it), and bytes already read past
// the request are handed back to the socket.
func (c *Conn) prepareUpgrade(x *Exchange) {
	c.stop()
	c.timer.Stop()
	if c.start < len(c.in) {
		rest := append([]byte(nil), c.in[c.start:]...)
		c.start = len(c.in)
		c.s.Unread(rest)
	}
	c.s.SetOwner(nil)
}

// refuseUpgrade takes the connection back from an upgrade request that
// was answered with something else than 101: it closes after that
// response, so the socket's drain notices must reach the connection again.
func (c *Conn) refuseUpgrade() {
	c.s.SetOwner(c)
	c.updateReading()
}

// handOver gives the socket to the handler of upgrade request x, whose 101
// has just been written: from now on the connection neither reads, parses
// nor times out. It stays in its group, counted among the connections, and
// closes when the handler closes it or the server shuts down (after
// ShutdownGrace).
func (c *Conn) handOver(x *Exchange) {
	c.handedOver = true
	c.stop()
	c.timer.Stop()
	x.setPhase(xUpgraded)
	c.flushEarly(x)
	c.s.Flush()
	if x.stream.closeAfter { // the handler closed it before the 101 was out
		f := c.g.loop.NewFuture()
		c.s.SendNotify(nil, f) // completes once the 101 and early bytes are written
		f.AddCallback(c.close)
	}
}

// Close closes the connection of generation gen's request. A response
// that is committed is let out first: a streamed body ends there (Nim's
// way to end a body that has no length); a request not yet answered loses
// its connection at once. After an upgrade it closes the handler's
// connection. On the loop.
func (x *Exchange) Close(gen uint32) error {
	c := x.conn
	switch {
	case c.closed:
		return x.stale(gen)
	case x.is(gen, xUpgraded), x.is(gen, xDispatched):
		c.close()
	case x.is(gen, xStreaming):
		x.EndBody(gen, nil)
		x.stream.closeAfter = true
		c.closeAfterOutput(closeNow)
		c.schedule()
	case x.is(gen, xResponded), x.is(gen, xWritten):
		x.stream.closeAfter = true // an upgrade's 101 not yet out: close after it
		c.closeAfterOutput(closeNow)
		c.schedule()
	default:
		return x.stale(gen)
	}
	return nil
}

// Socket returns the connection's socket to the handler of generation
// gen's upgrade request, from the time its handler runs (to Recv the
// bytes the client sent after the request) until the connection closes,
// or to the handler that hijacked its connection. On the loop.
func (x *Exchange) Socket(gen uint32) (*poller.Socket, error) {
	c := x.conn
	switch {
	case c.closed || x.Gen() != gen:
		return nil, x.stale(gen)
	case !isUpgrade(x) && x.phase() != xUpgraded:
		return nil, ErrNotUpgraded
	}
	return &c.s, nil
}

// ErrHijackPipelined: Hijack on a request with other requests of its
// connection in flight (pipelined before or after it).
var ErrHijackPipelined = errors.New("cannot hijack a connection with other requests in flight")

// Hijack hands generation gen's connection to its handler without a
// response from the server (net/http's Hijacker): from now on the
// connection neither reads, parses, answers nor times out; the bytes the
// client sent past the request come first from the socket's reads. Like
// an upgraded connection it stays counted, and closes when the handler
// closes it or the server shuts down. The request must not be answered
// yet and must be the only one of its connection in flight. On the loop.
func (x *Exchange) Hijack(gen uint32) error {
	c := x.conn
	switch {
	case c.closed || x.Gen() != gen:
		return x.stale(gen)
	case x.phase() != xDispatched:
		return ErrResponded
	case c.queue.head != x || c.queue.n != 1:
		return ErrHijackPipelined
	}
	if !isUpgrade(x) { // an upgrade request's connection was prepared at dispatch
		c.prepareUpgrade(x) // (a next request begun is dropped; its bytes go to the socket)
	}
	c.handOver(x)
	return nil
}

// LocalAddr returns the address the client connected to, or the zero
// address once the connection is closed. On the loop.
func (x *Exchange) LocalAddr() netip.AddrPort {
	if x.conn.closed {
		return netip.AddrPort{}
	}
	return x.conn.s.LocalAddr()
}

// Control runs fn with the connection's descriptor (see Socket.Control).
// On the loop.
func (x *Exchange) Control(fn func(fd uintptr)) error {
	if x.conn.closed {
		return ErrClosed
	}
	return x.conn.s.Control(fn)
}

// Writes returns how many write system calls the connection has made that
// wrote something: a statistic, and the test of response coalescing.
func (x *Exchange) Writes() uint64 { return x.conn.s.Writes() }
