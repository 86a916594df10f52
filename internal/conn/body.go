package conn

import "asynchttpserver.dev/internal/parser"

// continueLine is the interim response that tells a client waiting on
// "Expect: 100-continue" to send its body (RFC 9110 §10.1.1).
const continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

// beginBody prepares to read x's body once its head is complete.
func (c *Conn) beginBody(x *Exchange) {
	switch {
	case x.Head.ContentLength > 0:
		c.reserve(x.wireLen + int(x.Head.ContentLength))
	case x.Head.Chunked:
		c.chunked.Init(c.g.cfg.Limits.MaxBody)
	default:
		return
	}
	c.maybeContinue(x)
}

// maybeContinue sends 100 Continue to a client that asked for it, unless
// its body has already started to arrive (then it is not waiting), an
// earlier response is still to be written (the interim response must not
// overtake it: advance sends it when x's turn comes), or x's handler
// streams the body and has not asked for it yet (it may answer without
// it: RFC 9110 §10.1.1), or has begun its final response (a 100 after it
// would land inside it).
func (c *Conn) maybeContinue(x *Exchange) {
	if !x.Head.Expect100 || x.sent100 || x.Head.Minor == 0 {
		return
	}
	if x.phase() >= xClaimed {
		return
	}
	if h := c.queue.head; h != nil && h != x {
		return
	}
	if x.in.streamed && !x.in.asked {
		return
	}
	x.sent100 = true
	unread := len(c.in) - c.start
	if !x.in.streamed {
		unread -= x.wireLen // the head is still in the buffer
	}
	if unread > 0 {
		return
	}
	o := c.s.OutBuf()
	*o = append(*o, continueLine...)
}

// readBody reports whether x's whole body is in; it then sets x.body and
// counts the body into x.wireLen.
func (c *Conn) readBody(x *Exchange) bool {
	bodyStart := c.start + x.wireLen
	switch {
	case x.Head.ContentLength > 0:
		end := bodyStart + int(x.Head.ContentLength)
		if len(c.in) < end {
			c.bodyIncomplete()
			return false
		}
		x.body = c.in[bodyStart:end:end]
		x.wireLen += int(x.Head.ContentLength)
	case x.Head.Chunked:
		consumed, done, err := c.chunked.Decode(c.in[bodyStart:])
		if err != nil {
			c.reject(err.(*parser.Error))
			return false
		}
		if !done {
			c.bodyIncomplete()
			return false
		}
		x.body = c.in[bodyStart : bodyStart+c.chunked.Len() : bodyStart+c.chunked.Len()]
		x.wireLen += consumed
	}
	return true
}

// bodyIncomplete starts the body timeout when a body does not arrive with
// its head (stamped only then, to spare the usual request a clock read).
func (c *Conn) bodyIncomplete() {
	if c.bodyProgress == 0 {
		c.bodyProgress = c.g.loop.Nanotime()
	}
}
