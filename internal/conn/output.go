package conn

import (
	"strconv"

	"asynchttpserver.dev/internal/parser"
)

// advance writes, in request order, every response that is ready at the
// head of the queue, and stops at the first request still waiting for
// its handler: a later response that is ready waits in its slot.
func (c *Conn) advance() {
	for !c.closed && !c.handedOver && c.queue.head != nil {
		x := c.queue.head
		switch x.phase() {
		case xResponded:
			c.writeResponse(x)
			if c.handedOver {
				return
			}
			x.setPhase(xWritten)
		case xStreaming:
			if !x.stream.headOut {
				c.writeStreamHead(x)
				if c.handedOver {
					return
				}
			}
			if !x.stream.ended {
				return // its body is still being written: later responses wait
			}
			if x.stream.closeAfter {
				c.closeAfterOutput(closeNow)
			}
			x.setPhase(xWritten)
		case xDispatched:
			return // its handler has not answered (or, waiting, not run: see endBatch)
		default: // a Respond from another goroutine is between Claim and Commit
			return
		}
		c.queue.pop()
		if x.in.streamed && !x.in.done {
			// Answered before its body was read: the rest of the body is
			// not read, and so no request after it can be.
			c.dropBody(x, ErrBodyAbandoned)
			c.closeAfterOutput(closeLinger)
		}
		if x.handlerDone {
			c.release(x)
		}
		if h := c.queue.head; h != nil && h.in.streamed && h.in.asked {
			c.maybeContinue(h) // its turn has come
		}
	}
	if !c.closed && !c.handedOver && c.queue.n == 0 {
		c.queueEmpty()
	}
}

// queueEmpty runs when every dispatched request has been answered.
func (c *Conn) queueEmpty() {
	if c.pendingErr != nil {
		c.writeError(c.pendingErr)
		c.pendingErr = nil
		return
	}
	if c.input == inBody {
		c.maybeContinue(c.cur)
	}
}

// writeResponse serialises x's response into the socket's output buffer.
func (c *Conn) writeResponse(x *Exchange) {
	upgrade := isUpgrade(x)
	closeAfter := c.lastResponse(x) || (upgrade && x.code != 101) ||
		x.in.streamed && !x.in.done // the rest of its body will not be read: no request after it can be
	o := c.s.OutBuf()
	*o = c.appendHead(*o, x, closeAfter, len(x.content))
	if !bodyless(x.code) && x.Head.Method != parser.MethodHead {
		*o = append(*o, x.content...)
	}
	switch {
	case upgrade && x.code == 101:
		c.handOver(x)
	case closeAfter:
		if upgrade {
			c.refuseUpgrade()
		}
		c.closeAfterOutput(closeNow)
	}
}

// lastResponse reports whether x's response is the connection's last, for
// the reasons every response shares: the client or the handler asked for
// Connection: close, the client has shut its side, or the server is
// closing.
func (c *Conn) lastResponse(x *Exchange) bool {
	return x.Head.Close || x.userClose || c.eof || c.g.shuttingDown
}

// appendHead appends the status line and header fields of x's response.
// contentLength < 0 means the length is not known (a raw response).
func (c *Conn) appendHead(b []byte, x *Exchange, closeAfter bool, contentLength int) []byte {
	// RFC 9110 §8.6: no Content-Length on 1xx and 204; a 304 would state
	// the length of the representation it does not send, so it gets none.
	wantLength := !x.userLen && contentLength >= 0 && x.code >= 200 && x.code != 204 && x.code != 304
	if wantLength && !x.userDate {
		b = append(b, c.g.heads.get(x.code, &c.g.date, c.g.loop.Nanotime())...)
		b = strconv.AppendInt(b, int64(contentLength), 10)
		b = append(b, "\r\n"...)
	} else {
		b = appendStatusLine(b, x.code)
		if wantLength {
			b = append(b, "Content-Length: "...)
			b = strconv.AppendInt(b, int64(contentLength), 10)
			b = append(b, "\r\n"...)
		}
		if !x.userDate {
			b = append(b, c.g.date.get(c.g.loop.Nanotime())...)
		}
	}
	for i := range x.Fields {
		f := &x.Fields[i]
		b = append(b, f.Name...)
		b = append(b, ": "...)
		b = append(b, f.Value...)
		b = append(b, "\r\n"...)
	}
	switch {
	case closeAfter && !x.userClose: // (the handler's own says it already)
		b = append(b, "Connection: close\r\n"...)
	case !closeAfter && x.Head.Minor == 0 && x.code != 101:
		b = append(b, "Connection: keep-alive\r\n"...) // HTTP/1.0 keeps only what is announced
	}
	return append(b, "\r\n"...)
}

// writeError answers a request the connection could not parse or read,
// then closes after draining the input, so that the client sees the
// status instead of a reset (RFC 9112 §9.6).
func (c *Conn) writeError(e *parser.Error) {
	o := c.s.OutBuf()
	b := appendStatusLine(*o, e.Status)
	b = append(b, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(e.Reason)+1), 10)
	b = append(b, "\r\n"...)
	b = append(b, c.g.date.get(c.g.loop.Nanotime())...)
	b = append(b, "Connection: close\r\n\r\n"...)
	b = append(b, e.Reason...)
	*o = append(b, '\n')
	c.closeAfterOutput(closeLinger)
}

// reject stops reading after a malformed or oversized request; its error
// response goes out once the responses before it have.
func (c *Conn) reject(e *parser.Error) {
	c.stop()
	c.pendingErr = e
	if c.queue.n == 0 {
		c.queueEmpty()
	}
}

// endBatch flushes the output and brings buffers, reading and the timer up
// to date; it ends every burst of work on the connection. Requests held
// back by back-pressure are dispatched here once the output has drained.
func (c *Conn) endBatch() {
	for {
		if c.closed || c.handedOver {
			return
		}
		if err := c.s.Flush(); err != nil {
			c.close()
			return
		}
		// The batch goes back to reading only for what the writing let
		// through: requests held back by back-pressure once the output has
		// drained, and an upgrade request whose turn has come (its handler
		// runs only when every response before it is out).
		if h := c.queue.head; h != nil && h.waiting && h.phase() == xDispatched {
			h.waiting = false
			c.serve(h)
			continue
		}
		if !c.backlog || c.overloaded() {
			break
		}
		c.backlog = false
		c.process()
	}
	c.releaseInput()
	if c.closing != closeNone && c.queue.n == 0 && c.s.Pending() == 0 && c.pendingErr == nil {
		c.finishClose()
		return
	}
	// Reading changes only when the connection pauses, stops or resumes;
	// the usual batch (reading, not overloaded) skips the check.
	if !c.s.Reading() || c.input >= inStopped || c.input == inStream || c.eof || c.overloaded() {
		c.updateReading()
	}
	c.updateTimer()
}

// overloaded reports whether the connection has reached a back-pressure
// mark: more unsent output than MaxOutput (a client that sends but does
// not read), or MaxInFlight requests whose responses are not written yet.
func (c *Conn) overloaded() bool {
	return c.s.Pending() > c.g.cfg.MaxOutput || c.work != nil && c.queue.n >= c.g.cfg.MaxInFlight
}

// updateReading watches the socket for input exactly when the connection
// can use it: not while overloaded (the kernel's buffers then fill and TCP
// flow control slows the client down), not once no more requests will be
// read, except to drain a lingering close.
func (c *Conn) updateReading() {
	want := !c.closed && !c.eof && !c.handedOver && !c.overloaded() && !c.bodyWindowFull() &&
		(c.input < inStopped || c.input == inLinger || c.watching > 0 && c.closing == closeNone)
	if want != c.s.Reading() {
		c.s.SetReading(want)
	}
}

// onDrained runs when output that had to wait for the peer is written, or
// the write failed.
func (c *Conn) onDrained() {
	if c.work == nil {
		return
	}
	if c.s.Err() != nil {
		c.close()
		return
	}
	c.endBatch()
}
