package conn

import "asynchttpserver.dev/internal/poller"

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
	// lingering: the write side is shut and input is being discarded.
	lingering
)

// closeAfterOutput stops reading requests and closes the connection once
// every queued response is written.
func (c *Conn) closeAfterOutput(mode closeMode) {
	c.stopped = true
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
	c.closing = lingering
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
	if c.in == nil {
		c.in = c.g.loop.GetBuffer()
		c.start = 0
		c.bufGen++
	}
	for i := 0; i < 4; i++ { // bounded: a firehose must not hold the loop
		_, err := c.s.Read(c.in[:cap(c.in)])
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
	if c.closing == lingering {
		c.close()
		return
	}
	if c.cur != nil {
		c.release(c.cur)
		c.cur, c.headDone = nil, false
	}
	c.closeAfterOutput(closeNow)
	c.endBatch()
}

// abort closes at once: the socket failed, or a deadline passed.
func (c *Conn) abort() { c.close() }

// close releases everything the connection holds. Requests whose handlers
// are still running are marked aborted: their Respond fails with
// ErrClosed.
func (c *Conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.timer.Stop()
	for c.queue.n > 0 {
		x := c.queue.pop()
		if !x.state.CompareAndSwap(xDispatched, xAborted) {
			x.state.Store(xAborted)
		}
		if f := x.rawFut; f != nil {
			x.rawFut = nil
			f.Fail(ErrClosed)
		}
	}
	if c.cur != nil {
		c.cur = nil
	}
	if c.in != nil && c.inRefs == 0 {
		c.g.loop.PutBuffer(c.in)
	}
	c.in = nil
	if !c.handedOver {
		c.s.Close()
	}
	c.g.remove(c)
}

// prepareUpgrade gets an upgrade request's connection ready to be taken
// over before its handler runs: reading stops, the socket returns to
// future mode (so the handler can Recv on it), and bytes already read past
// the request are handed back to the socket.
func (c *Conn) prepareUpgrade(x *Exchange) {
	c.stopped = true
	c.timer.Stop()
	c.deadline = noDeadline
	if c.start < len(c.in) {
		rest := append([]byte(nil), c.in[c.start:]...)
		c.start = len(c.in)
		c.s.Unread(rest)
	}
	c.s.SetHandler(nil)
}

// handOver gives the socket to the upgrade handler for good: once its 101
// response is written (or it has written its own), the connection neither
// reads, parses, times out nor closes the socket any more.
func (c *Conn) handOver() {
	if c.handedOver {
		return
	}
	c.handedOver = true
	c.s.Flush()
	c.close()
}

// TakeOver hands the connection of an upgrade request to its handler, which
// answered it by writing to the socket itself rather than through the
// exchange. It reports whether x was an upgrade request (otherwise nothing
// happens). On the loop.
func (x *Exchange) TakeOver() bool {
	c := x.conn
	if !isUpgrade(x) || c.closed {
		return false
	}
	x.state.Store(xWritten)
	c.handOver()
	return true
}
