package conn

// input is where a connection is in reading requests, the reading half of
// its state (the writing half is its queue of exchanges, written in
// order, and closing, what happens once the output is out):
//
//	             first byte                head complete, no body
//	  ┌───────▶ inIdle ─────────▶ inHead ─────────────────────────┐
//	  │                             │ body announced              │
//	  │                             ├─────────▶ inBody ───────────┤ request dispatched
//	  │                             │  (read whole, Nim's way)     │
//	  │                             └─────────▶ inStream ─────────┤ its handler has read
//	  │                                (dispatched at its head;    │ the whole body
//	  │                                 the handler reads it)      │
//	  └────────────────────────────────────────────────────────────┘
//
//	any of them ─── Connection: close, an upgrade, a malformed request,
//	                the client's end of input, Close ───▶ inStopped
//	inStopped ─── an error answered, its output out ───▶ inLinger
//	inLinger ─── the client closes, or LingerTimeout ───▶ closed
//
// Each phase has its timeout: inIdle IdleTimeout (between requests),
// inHead HeaderTimeout, inBody BodyTimeout (without progress), inStream
// BodyTimeout while the handler waits for bytes, inLinger LingerTimeout
// (see timeout.go).
type input uint8

const (
	// inIdle: between requests; the next head's first byte is awaited.
	inIdle input = iota
	// inHead: a head is arriving; cur is its exchange.
	inHead
	// inBody: cur's head is complete and its body is read whole before
	// cur is dispatched.
	inBody
	// inStream: cur was dispatched at its head, and its body is delivered
	// to its handler as the handler reads (bodystream.go).
	inStream
	// inStopped: no further request will be read; what is in flight is
	// still answered.
	inStopped
	// inLinger: the write side is shut after an error response, and what
	// the client still sends is read and dropped, so that closing with
	// unread input does not reset the response away (RFC 9112 §9.6).
	inLinger
)

// stop reads no further requests. A request partly read is dropped: it
// can never complete. (A streamed one has been dispatched already: its
// reads are ended by dropBody.)
func (c *Conn) stop() {
	if c.input >= inStopped {
		return
	}
	if c.input == inStream {
		c.dropBody(c.cur, ErrBodyAbandoned) // stops reading too
		return
	}
	if (c.input == inHead || c.input == inBody) && c.cur != nil {
		c.release(c.cur)
	}
	if c.work != nil {
		c.cur = nil
	}
	c.input = inStopped
}
